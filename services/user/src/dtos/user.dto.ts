import { IsOptionalNotNull, PageQuery } from '@etsr/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ACCOUNT_STATUSES, AccountStatus, UserEntity } from '../entities/user.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export const USERNAME_PATTERN = /^[A-Za-z0-9_]{3,50}$/;
/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164_PATTERN = /^\+[1-9][0-9]{1,14}$/;
/** At least one letter and one digit; bcrypt reads at most 72 bytes, so longer passwords are refused, not truncated. */
export const PASSWORD_PATTERN = /^(?=.*[A-Za-z])(?=.*[0-9]).{8,72}$/s;
const PASSWORD_MESSAGE = 'password must be 8 to 72 characters with at least one letter and one digit';

export class RegisterUserDto {
  @ApiProperty({ example: 'john_doe', minLength: 3, maxLength: 50, pattern: USERNAME_PATTERN.source })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3 to 50 letters, digits or underscores' })
  username: string;

  @ApiProperty({ example: 'john@example.com', maxLength: 100 })
  @Transform(lower)
  @IsString()
  @MaxLength(100)
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  email: string;

  @ApiProperty({ example: 'SecurePass123!', minLength: 8, maxLength: 72, description: 'At least one letter and one digit' })
  @IsString()
  @Matches(PASSWORD_PATTERN, { message: PASSWORD_MESSAGE })
  password: string;

  @ApiProperty({ example: 'John', maxLength: 50 })
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  firstName: string;

  @ApiProperty({ example: 'Doe', maxLength: 50 })
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  lastName: string;

  @ApiPropertyOptional({ example: '+1234567890', description: 'E.164 format' })
  @IsOptional()
  @IsString()
  @Matches(E164_PATTERN, { message: 'phoneNumber must be in E.164 format, e.g. +1234567890' })
  phoneNumber?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'john.doe@example.com' })
  @IsOptionalNotNull()
  @Transform(lower)
  @IsString()
  @MaxLength(100)
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  email?: string;

  @ApiPropertyOptional({ example: 'John' })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  firstName?: string;

  @ApiPropertyOptional({ example: 'Doe' })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  lastName?: string;

  @ApiPropertyOptional({ type: String, example: '+1234567890', nullable: true, description: 'E.164 format; null removes it' })
  @IsOptional()
  @IsString()
  @Matches(E164_PATTERN, { message: 'phoneNumber must be in E.164 format, e.g. +1234567890' })
  phoneNumber?: string | null;

  @ApiPropertyOptional({ example: 'NewSecurePass456!', description: 'Needs currentPassword, unless an admin changes another user' })
  @IsOptionalNotNull()
  @IsString()
  @Matches(PASSWORD_PATTERN, { message: PASSWORD_MESSAGE.replace('password', 'newPassword') })
  newPassword?: string;

  @ApiPropertyOptional({ example: 'SecurePass123!' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(200)
  currentPassword?: string;
}

export class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ACCOUNT_STATUSES })
  @IsOptional()
  @IsIn(ACCOUNT_STATUSES)
  status?: AccountStatus;

  @ApiPropertyOptional({ enum: ['USER', 'ADMIN'] })
  @IsOptional()
  @IsIn(['USER', 'ADMIN'])
  role?: 'USER' | 'ADMIN';
}

export class SearchUsersQuery extends PageQuery {
  @ApiProperty({ example: 'john', description: 'Part of a username, e-mail, first or last name' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'query must not be empty' })
  @MaxLength(100)
  query: string;
}

export class UserResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) userId: number;
  @ApiProperty({ example: 'john_doe' }) username: string;
  @ApiProperty({ example: 'john@example.com' }) email: string;
  @ApiProperty({ example: 'John' }) firstName: string;
  @ApiProperty({ example: 'Doe' }) lastName: string;
  @ApiProperty({ type: String, example: '+1234567890', nullable: true }) phoneNumber: string | null;
  @ApiProperty({ example: 'USER', enum: ['USER', 'ADMIN'] }) role: string;
  @ApiProperty({ example: 'ACTIVE', enum: ACCOUNT_STATUSES }) accountStatus: AccountStatus;
  @ApiProperty({ example: '2025-11-09T10:30:00Z' }) createdAt: string;
  @ApiProperty({ example: '2025-11-09T10:30:00Z' }) updatedAt: string;
}

export class UserPageDto {
  @ApiProperty({ type: [UserResponseDto] }) users: UserResponseDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 20 }) limit: number;
  @ApiProperty({ example: 42 }) totalCount: number;
}

/** Entities never leave the service as they are: the password hash stays inside. */
export function mapUser(user: UserEntity): UserResponseDto {
  return {
    userId: user.id,
    username: user.username,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    phoneNumber: user.phoneNumber,
    role: user.role,
    accountStatus: user.accountStatus,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
