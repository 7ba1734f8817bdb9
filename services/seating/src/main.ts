import { runService } from '@etsr/platform';
import { startSeatingService } from './bootstrap';

runService('seating', () => startSeatingService(process.env));
