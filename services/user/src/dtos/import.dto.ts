import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsEmail, IsISO8601, IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { E164_PATTERN, USERNAME_PATTERN } from './user.dto';

export const MAX_USERS_PER_IMPORT = 500;
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/** An account of another system, loaded without a password (its owner sets one later). */
export class ImportUserDto {
  @ApiProperty({ example: 'etsr:users:17', maxLength: 200, description: 'The source key: importing it again finds this account instead of creating one' })
  @IsString()
  @Length(1, 200)
  externalRef: string;

  @ApiProperty({ example: 'user1596@mail.com', maxLength: 100 })
  @Transform(lower)
  @IsString()
  @MaxLength(100)
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  email: string;

  @ApiProperty({ example: 'user1596', description: 'Wanted username; when taken, _2, _3, … is appended', pattern: USERNAME_PATTERN.source })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3 to 50 letters, digits or underscores' })
  username: string;

  @ApiProperty({ example: 'User1', maxLength: 50 })
  @IsString()
  @Length(1, 50)
  firstName: string;

  @ApiProperty({ example: '', maxLength: 50, description: 'May be empty: some sources have one name only' })
  @IsString()
  @Length(0, 50)
  lastName: string;

  @ApiPropertyOptional({ example: '+919895305694', pattern: E164_PATTERN.source })
  @IsOptional()
  @Matches(E164_PATTERN, { message: 'phoneNumber must be in E.164 format, e.g. +919895305694' })
  phoneNumber?: string;

  @ApiProperty({ example: '2023-11-26T21:58:47Z', description: 'When the account was created in the source' })
  @IsISO8601({ strict: true })
  createdAt: string;
}

export class ImportUsersDto {
  @ApiProperty({ type: [ImportUserDto], maxItems: MAX_USERS_PER_IMPORT })
  @ValidateNested({ each: true })
  @Type(() => ImportUserDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_USERS_PER_IMPORT)
  users: ImportUserDto[];
}

export const IMPORT_OUTCOMES = ['created', 'present', 'conflict'] as const;
export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number];

export class ImportedUserDto {
  @ApiProperty({ example: 'etsr:users:17' }) externalRef: string;
  @ApiProperty({ example: 'created', enum: IMPORT_OUTCOMES, description: 'conflict: the e-mail belongs to an account of another origin; nothing was written' })
  @IsIn(IMPORT_OUTCOMES)
  outcome: ImportOutcome;
  @ApiProperty({ type: 'integer', example: 42, nullable: true }) userId: number | null;
  @ApiProperty({ type: String, example: 'user1596', nullable: true }) username: string | null;
  @ApiPropertyOptional({ example: 'EMAIL_TAKEN' }) error?: string;
}

export class ImportUsersResultDto {
  @ApiProperty({ example: 80 }) created: number;
  @ApiProperty({ example: 0 }) present: number;
  @ApiProperty({ example: 0 }) conflicts: number;
  @ApiProperty({ type: [ImportedUserDto] }) users: ImportedUserDto[];
}
