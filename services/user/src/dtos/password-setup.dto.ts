import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PASSWORD_PATTERN } from './user.dto';

export class PasswordSetupTokenDto {
  @ApiProperty({ type: 'integer', example: 42 }) userId: number;
  @ApiProperty({ example: 'pst_3q2-7wEVGxZk9mJ1yPq0Hc4bRr8sNf5aLt6uYv2wXe0', description: 'Shown once; only its hash is stored' }) token: string;
  @ApiProperty({ example: '2026-11-24T08:00:00.000Z', format: 'date-time' }) expiresAt: string;
  @ApiProperty({ example: true, description: "Whether the token was also e-mailed to the account's address (false when the notification service is not configured)" })
  emailed: boolean;
}

export class RequestPasswordResetDto {
  @ApiProperty({ example: 'alice@example.com', maxLength: 100 })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @MaxLength(100)
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  email: string;
}

export class PasswordResetRequestedDto {
  @ApiProperty({ example: 'If an active account uses this address, an e-mail with a reset token is on its way. The token is valid for 60 minutes.' })
  message: string;
}

export class ConfirmPasswordSetupDto {
  @ApiProperty({ example: 'pst_3q2-7wEVGxZk9mJ1yPq0Hc4bRr8sNf5aLt6uYv2wXe0' })
  @IsString()
  @Length(10, 100)
  token: string;

  @ApiProperty({ example: 'SecurePass123!', minLength: 8, maxLength: 72, description: 'At least one letter and one digit' })
  @IsString()
  @Matches(PASSWORD_PATTERN, { message: 'newPassword must be 8 to 72 characters with at least one letter and one digit' })
  newPassword: string;
}
