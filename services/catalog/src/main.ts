import { runService } from '@etsr/platform';
import { startCatalogService } from './bootstrap';

runService('catalog', () => startCatalogService(process.env));
