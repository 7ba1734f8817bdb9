import { ApiProperty } from '@nestjs/swagger';
import { Ticket } from '../repositories/orders.repository';

export class TicketDto {
  @ApiProperty({ example: 'e3cbf6d8-1a2b-4c3d-9e7f-000000000001' }) ticketId: string;
  @ApiProperty({ type: 'integer', example: 101 }) seatId: number;
  @ApiProperty({ example: 'PREMIUM-F-1' }) seatCode: string;
  @ApiProperty({ example: 'TCK-7Q2MX9D4K8P1Z6R3V0HC' }) ticketCode: string;
  @ApiProperty({ example: 'VALID', enum: ['VALID', 'VOID'] }) status: string;
  @ApiProperty({ example: '2025-11-09T11:00:10Z' }) issuedAt: string;
  @ApiProperty({ type: String, example: null, nullable: true }) checkedInAt: string | null;
  @ApiProperty({ example: 'eyJ2IjoxLCJ0YyI6...Zx0Q', description: 'Ed25519-signed payload; what the QR code encodes' }) qrPayload: string;
  @ApiProperty({ example: 'data:image/png;base64,iVBORw0KGgo...', description: 'The QR code as a PNG data URL' }) qrCode: string;
}

export class OrderTicketsDto {
  @ApiProperty({ example: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9' }) orderId: string;
  @ApiProperty({ example: 'CONFIRMED' }) status: string;
  @ApiProperty({ type: [TicketDto] }) tickets: TicketDto[];
}

export class TicketCheckDto {
  @ApiProperty({ example: 'TCK-7Q2MX9D4K8P1Z6R3V0HC' }) ticketCode: string;
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({ example: 'PREMIUM-F-1' }) seatCode: string;
  @ApiProperty({ example: 'VALID' }) status: string;
  @ApiProperty({ type: String, example: null, nullable: true }) checkedInAt: string | null;
  @ApiProperty({ example: true, description: 'Genuine, not void, not yet used' }) valid: boolean;
}

export function mapTicket(t: Ticket, qrCode: string): TicketDto {
  return {
    ticketId: t.ticketId,
    seatId: t.seatId,
    seatCode: t.seatCode,
    ticketCode: t.ticketCode,
    status: t.status,
    issuedAt: t.issuedAt.toISOString(),
    checkedInAt: t.checkedInAt?.toISOString() ?? null,
    qrPayload: t.signedPayload,
    qrCode,
  };
}
