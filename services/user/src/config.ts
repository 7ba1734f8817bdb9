import { BaseConfig } from '@etsr/platform';
import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** The demo administrator's password; refused in production. */
export const DEV_ADMIN_PASSWORD = 'Admin123!';

export class UserConfig extends BaseConfig {
  /** CONTRACT: access tokens expire in 3600 s. */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS = 3600;

  @Type(() => Number)
  @IsInt()
  @Min(300)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

  /** bcrypt work factor (issue: cost 10). */
  @Type(() => Number)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_COST = 10;

  /** Login attempts one username may make per window before 429 (a success resets it). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_MAX_ATTEMPTS_PER_USERNAME = 5;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_USERNAME_WINDOW_SECONDS = 300;

  /** Login attempts one client address may make per window, whatever the username. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_MAX_ATTEMPTS_PER_IP = 30;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_IP_WINDOW_SECONDS = 60;

  /** When ADMIN_PASSWORD is set, an ADMIN account with these credentials is created at start if missing. */
  @IsString()
  @Matches(/^[A-Za-z0-9_]{3,50}$/)
  ADMIN_USERNAME = 'admin';

  @IsEmail()
  ADMIN_EMAIL = 'admin@example.com';

  @IsOptional()
  @IsString()
  @MinLength(8)
  ADMIN_PASSWORD?: string;
}
