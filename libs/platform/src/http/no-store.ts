import { Header, applyDecorators } from '@nestjs/common';

/**
 * For answers that carry credentials (access, refresh or one-time tokens): no browser, proxy or
 * shared cache may keep a copy (Pragma for HTTP/1.0 caches). Set on success only, where the token is.
 */
export const NoStore = () => applyDecorators(Header('Cache-Control', 'no-store'), Header('Pragma', 'no-cache'));
