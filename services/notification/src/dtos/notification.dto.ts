import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_ID, PageQuery } from '@etsr/platform';
import {
  ACCOUNT_NOTIFICATION_TYPES,
  AccountNotificationType,
  NOTIFICATION_TYPES,
  NotificationType,
  ORDER_NOTIFICATION_TYPES,
  OrderNotificationType,
} from '../entities/notification-event.entity';
import { CHANNELS, Channel, NOTIFICATION_STATUSES, NotificationEntity, NotificationStatus } from '../entities/notification.entity';
import { MaxUtf8Bytes, SingleLine } from './validation';

export const MAX_TICKETS_PER_EVENT = 50;
export const TICKET_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164_PATTERN = /^\+[1-9][0-9]{1,14}$/;
/** The user service's one-time password-setup tokens: "pst_" and base64url. */
export const PASSWORD_SETUP_TOKEN_PATTERN = /^pst_[A-Za-z0-9_-]{20,100}$/;
/** An ISO 8601 date and time with its offset (what toISOString() gives): a moment, not a local time. */
export const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export class TicketDto {
  @ApiProperty({ example: 'TCK-20251109-AAA', pattern: TICKET_CODE_PATTERN.source })
  @IsString()
  @Matches(TICKET_CODE_PATTERN, { message: 'ticketCode must be 1 to 64 letters, digits, "-" or "_"' })
  ticketCode: string;

  @ApiProperty({ example: 'PREMIUM-F-1', maxLength: 50 })
  @IsString()
  @Length(1, 50)
  @SingleLine()
  seatCode: string;

  @ApiProperty({ example: 'etsr:ticket:TCK-20251109-AAA:3f9a0c', maxLength: 1000, description: 'The text the QR code encodes (what the scanner at the gate reads)' })
  @IsString()
  @Length(1, 1000)
  @MaxUtf8Bytes(1000)
  @SingleLine()
  qrPayload: string;
}

export class NotificationDataDto {
  @ApiPropertyOptional({ example: 'Rock Concert 2025', maxLength: 200, description: 'Shown in subjects and bodies; without it messages say "event #<eventId>"' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @SingleLine()
  eventName?: string;

  @ApiProperty({ type: 'integer', example: 1, description: 'The catalog event id' })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  eventId: number;

  @ApiProperty({ example: 33000, description: 'Order total in minor units (paise, cents)' })
  @IsInt()
  @Min(0)
  @Max(100_000_000_000)
  totalCents: number;

  @ApiProperty({ example: 'INR', pattern: '^[A-Z]{3}$' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as INR' })
  currency: string;

  @ApiPropertyOptional({
    example: 'Insufficient funds',
    maxLength: 2000,
    description: 'Why a payment failed, or why the order was refunded or cancelled; shown as one line of at most 500 characters',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  reason?: string;

  @ApiPropertyOptional({ type: [TicketDto], maxItems: MAX_TICKETS_PER_EVENT, description: 'Required (at least one) for ORDER_CONFIRMED; listed as void for refunds and cancellations' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TICKETS_PER_EVENT)
  @ArrayUnique((t: TicketDto) => t?.ticketCode, { message: 'data.tickets must not repeat a ticketCode' })
  @ValidateNested({ each: true })
  @Type(() => TicketDto)
  tickets?: TicketDto[];
}

/** What every event names, whichever service sends it: its id, and whom to tell. */
abstract class EventRecipientDto {
  @ApiProperty({ example: 'b5c1f0e2-8a4d-4c1e-9f0a-2d6b7e3c1a90', description: 'Unique per event: a repeat of the same eventId sends nothing new' })
  @IsUUID()
  eventId: string;

  @ApiProperty({ type: 'integer', example: 2 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId: number;

  @ApiProperty({ example: 'alice@example.com', maxLength: 254 })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  email: string;

  @ApiPropertyOptional({ example: 'Alice', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @SingleLine()
  name?: string;
}

export class ReceiveEventDto extends EventRecipientDto {
  @ApiProperty({ example: 'ORDER_CONFIRMED', enum: ORDER_NOTIFICATION_TYPES })
  @IsIn(ORDER_NOTIFICATION_TYPES)
  type: OrderNotificationType;

  @ApiProperty({ example: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9' })
  @IsUUID()
  orderId: string;

  @ApiPropertyOptional({ example: '+1234567890', description: 'E.164; when given, an SMS is sent too' })
  @IsOptional()
  @IsString()
  @Matches(E164_PATTERN, { message: 'phone must be in E.164 format, e.g. +1234567890' })
  phone?: string;

  @ApiProperty({ type: NotificationDataDto })
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationDataDto)
  data: NotificationDataDto;
}

export class AccountNotificationDataDto {
  @ApiProperty({ example: 'alice_johnson', maxLength: 50, description: 'The account whose password is to be set' })
  @IsString()
  @Length(1, 50)
  @SingleLine()
  username: string;

  @ApiProperty({
    example: 'pst_Yk3vQ9mZr2LwX8sT1bNc4dHf6jKp0aRe5uGi7oWy3xE',
    pattern: PASSWORD_SETUP_TOKEN_PATTERN.source,
    description: 'One-time token for POST {confirmUrl}. A credential: it is in the e-mail only, never in what this service answers or lists',
  })
  @IsString()
  @Matches(PASSWORD_SETUP_TOKEN_PATTERN, { message: 'token must be "pst_" and 20 to 100 letters, digits, "-" or "_"' })
  token: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z', format: 'date-time', description: 'When the token stops working: ISO 8601 date and time with Z or an offset' })
  @IsString()
  @Matches(DATE_TIME_PATTERN, { message: 'expiresAt must be an ISO 8601 date and time with Z or an offset' })
  @IsISO8601({ strict: true }, { message: 'expiresAt must be a date that exists' })
  expiresAt: string;

  @ApiProperty({ example: 'http://localhost:8081/v1/users/password-setup/confirm', maxLength: 500, description: 'Where the owner posts {"token", "newPassword"}' })
  @IsString()
  @MaxLength(500)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'confirmUrl must be an http(s) URL' })
  confirmUrl: string;
}

/** An account e-mail the user service asks for: one e-mail, no order, no SMS. */
export class ReceiveAccountEventDto extends EventRecipientDto {
  @ApiProperty({
    example: 'PASSWORD_RESET',
    enum: ACCOUNT_NOTIFICATION_TYPES,
    description: 'ACCOUNT_SETUP: an admin invited the owner of an account without a password to set one; PASSWORD_RESET: the owner asked to reset it',
  })
  @IsIn(ACCOUNT_NOTIFICATION_TYPES)
  type: AccountNotificationType;

  @ApiProperty({ type: AccountNotificationDataDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AccountNotificationDataDto)
  data: AccountNotificationDataDto;
}

export class NotificationDto {
  @ApiProperty({ example: '0b8f5a52-4c1e-4f7e-9a43-5d2a1c9e8b70' }) notificationId: string;
  @ApiProperty({ example: 'b5c1f0e2-8a4d-4c1e-9f0a-2d6b7e3c1a90' }) eventId: string;
  @ApiProperty({ example: 'ORDER_CONFIRMED', enum: NOTIFICATION_TYPES }) type: NotificationType;
  @ApiProperty({ example: 'EMAIL', enum: CHANNELS }) channel: Channel;
  @ApiProperty({
    example: 'PENDING',
    enum: NOTIFICATION_STATUSES,
    description: 'PENDING until delivered (retries included: see attempts, lastError, nextAttemptAt); SENT; FAILED when given up for good',
  })
  status: NotificationStatus;
  @ApiProperty({ type: 'integer', example: 2 }) userId: number;
  @ApiProperty({ type: String, example: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9', nullable: true, description: 'Null for account e-mails (ACCOUNT_SETUP, PASSWORD_RESET)' }) orderId: string | null;
  @ApiProperty({ example: 'alice@example.com' }) recipient: string;
  @ApiProperty({ type: String, example: 'Your tickets for Rock Concert 2025 (order 7f7ddc5b)', nullable: true, description: 'E-mail only' }) subject: string | null;
  @ApiProperty({ example: 0, description: 'Delivery attempts so far' }) attempts: number;
  @ApiProperty({ type: String, example: null, nullable: true, description: 'Why the last attempt failed' }) lastError: string | null;
  @ApiProperty({ type: String, example: '2025-11-09T11:00:10Z', nullable: true, description: 'When the next attempt is due (PENDING only)' }) nextAttemptAt: string | null;
  @ApiProperty({ type: String, example: null, nullable: true }) sentAt: string | null;
  @ApiProperty({ example: '2025-11-09T11:00:10Z' }) createdAt: string;
}

export class ReceivedEventDto {
  @ApiProperty({ example: 'b5c1f0e2-8a4d-4c1e-9f0a-2d6b7e3c1a90' }) eventId: string;
  @ApiProperty({ type: [NotificationDto], description: 'One per channel: EMAIL always, SMS when a phone was given' }) notifications: NotificationDto[];
}

export class ListNotificationsQuery extends PageQuery {
  @ApiPropertyOptional({ example: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9', description: 'Give orderId or userId (or both)' })
  @IsOptional()
  @IsUUID()
  orderId?: string;

  @ApiPropertyOptional({ type: 'integer', example: 2 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'userId must be a user id' })
  @Min(1, { message: 'userId must be a user id' })
  @Max(MAX_ID, { message: 'userId must be a user id' })
  userId?: number;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] }) notifications: NotificationDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 20 }) limit: number;
  @ApiProperty({ example: 2 }) totalCount: number;
}

/**
 * Entities never leave the service as they are: bodies and leases stay inside. That matters for
 * account e-mails: their bodies hold a one-time password-setup token, which only the e-mail carries.
 */
export function mapNotification(n: NotificationEntity): NotificationDto {
  return {
    notificationId: n.id,
    eventId: n.eventId,
    type: n.type,
    channel: n.channel,
    status: n.status,
    userId: n.userId,
    orderId: n.orderId,
    recipient: n.recipient,
    subject: n.subject,
    attempts: n.attempts,
    lastError: n.lastError,
    nextAttemptAt: n.status === 'PENDING' ? n.nextAttemptAt.toISOString() : null,
    sentAt: n.sentAt ? n.sentAt.toISOString() : null,
    createdAt: n.createdAt.toISOString(),
  };
}
