import { runService } from '@etsr/platform';
import { startUserService } from './bootstrap';

runService('user', () => startUserService(process.env));
