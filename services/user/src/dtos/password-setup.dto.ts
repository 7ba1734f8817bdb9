import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { PASSWORD_PATTERN } from './user.dto';

export class PasswordSetupTokenDto {
  @ApiProperty({ example: 42 }) userId: number;
  @ApiProperty({ example: 'pst_3q2-7wEVGxZk9mJ1yPq0Hc4bRr8sNf5aLt6uYv2wXe0', description: 'Shown once; only its hash is stored' }) token: string;
  @ApiProperty({ example: '2026-11-24T08:00:00.000Z', format: 'date-time' }) expiresAt: string;
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
