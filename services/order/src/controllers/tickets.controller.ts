import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public, Roles, badRequest } from '@etsr/platform';
import { Injectable, PipeTransform } from '@nestjs/common';
import { TicketCheckDto } from '../dtos/ticket.dto';
import { TicketsService } from '../services/tickets.service';

@Injectable()
class TicketCodePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !/^TCK-[0-9A-Z]{1,36}$/.test(value)) throw badRequest('Not a ticket code', 'INVALID_ID');
    return value;
  }
}

@ApiTags('tickets')
@Controller('v1/tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Get('public-key')
  @Public()
  @ApiOperation({ summary: 'The Ed25519 public key scanners use to check tickets offline' })
  publicKey() {
    return this.tickets.publicKey();
  }

  @Get(':code')
  @Public()
  @ApiOperation({ summary: 'Check a ticket: genuine, not void, not used (the code itself is the secret)' })
  @ApiOkResponse({ type: TicketCheckDto })
  check(@Param('code', TicketCodePipe) code: string): Promise<TicketCheckDto> {
    return this.tickets.check(code);
  }

  @Get(':code/qr.png')
  @Public()
  @Header('Content-Type', 'image/png')
  @Header('Cache-Control', 'private, max-age=3600')
  @ApiProduces('image/png')
  @ApiOperation({ summary: "The ticket's QR code" })
  qr(@Param('code', TicketCodePipe) code: string): Promise<Buffer> {
    return this.tickets.qrPng(code);
  }

  @Post(':code/check-in')
  @HttpCode(200)
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Admit a ticket at the door (admin): the first scan wins' })
  @ApiOkResponse({ type: TicketCheckDto })
  @ApiConflictResponse({ description: 'ALREADY_CHECKED_IN or TICKET_VOID' })
  checkIn(@Param('code', TicketCodePipe) code: string): Promise<TicketCheckDto> {
    return this.tickets.checkIn(code);
  }
}
