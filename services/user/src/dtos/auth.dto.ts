import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'john_doe' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  username: string;

  @ApiProperty({ example: 'SecurePass123!' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  password: string;
}

export class RefreshTokenDto {
  @ApiProperty({ example: 'rt_2b1f0c4e8a7d4f1c9e3b6a5d0f2c8e7a1b4d6f9c3e5a7b0d2f4c6e8a1b3d5f7c9' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refreshToken: string;
}

export class LoginUserSummaryDto {
  @ApiProperty({ type: 'integer', example: 1 }) userId: number;
  @ApiProperty({ example: 'john_doe' }) username: string;
  @ApiProperty({ example: 'john@example.com' }) email: string;
  @ApiProperty({ example: 'USER' }) role: string;
}

export class TokenResponseDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' }) accessToken: string;
  @ApiProperty({ example: 'rt_2b1f0c4e8a7d4f1c9e3b6a5d0f2c8e7a...' }) refreshToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: 'Bearer';
  @ApiProperty({ example: 3600 }) expiresIn: number;
  @ApiProperty({ type: LoginUserSummaryDto }) user: LoginUserSummaryDto;
}
