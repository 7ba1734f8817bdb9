import { Controller, Get, Header, applyDecorators } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public, UuidParam } from '@etsr/platform';
import { InboxService } from '../services/inbox.service';

/**
 * Headers of the inbox pages: HTML, never cached, and no scripts or remote content whatever the
 * page holds. This CSP replaces the platform's API one (helmet); nosniff, frame denial and
 * Referrer-Policy come from the platform as on every answer.
 */
const HtmlPage = () =>
  applyDecorators(
    Header('Content-Type', 'text/html; charset=utf-8'),
    Header('Cache-Control', 'no-store'),
    // Defence in depth under the escaping: nothing fetched, no scripts; images only from data: URLs.
    Header('Content-Security-Policy', "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
  );

/**
 * Development inbox: HTML pages of the latest notifications. Registered only when NODE_ENV is not
 * production (AppModule), so in production /inbox is a plain 404.
 */
@ApiExcludeController()
@Public()
@Controller('inbox')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get()
  @HtmlPage()
  list(): Promise<string> {
    return this.inbox.list();
  }

  @Get(':id')
  @HtmlPage()
  message(@UuidParam() id: string): Promise<string> {
    return this.inbox.message(id);
  }
}
