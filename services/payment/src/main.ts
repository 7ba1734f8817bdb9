import { runService } from '@etsr/platform';
import { startPaymentService } from './bootstrap';

runService('payment', () => startPaymentService(process.env));
