import { runService } from '@etsr/platform';
import { startNotificationService } from './bootstrap';

runService('notification', () => startNotificationService(process.env));
