import { runService } from '@etsr/platform';
import { startOrderService } from './bootstrap';

runService('order', () => startOrderService(process.env));
