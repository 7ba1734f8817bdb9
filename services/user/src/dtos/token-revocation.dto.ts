import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value);

export class TokenRevocationFeedQuery {
  @ApiPropertyOptional({ example: 41, description: 'The cursor of the previous page; left out, every revocation still in force' })
  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;
}

export class TokenRevocationDto {
  @ApiProperty({ type: 'integer', example: 42 }) id: number;
  @ApiProperty({ type: 'integer', example: 7 }) userId: number;
  @ApiProperty({ example: '9b2c1f0e-5d7a-4c1e-8f3b-2a6d9e0c4b1a', nullable: true, type: String, description: 'The session ended (logout); null: the whole account, below tokenVersion' })
  sessionId: string | null;
  @ApiProperty({ example: 3, description: 'Access tokens of the user with a lower `ver` claim are void' }) tokenVersion: number;
  @ApiProperty({ example: 1764867600000, description: 'Epoch ms after which every token it voids has expired' }) expiresAt: number;
}

export class TokenRevocationPageDto {
  @ApiProperty({ type: [TokenRevocationDto] }) revocations: TokenRevocationDto[];
  @ApiProperty({ example: 42, description: 'Ask with after=<cursor> next' }) cursor: number;
  @ApiProperty({ example: false, description: 'More entries follow at once' }) more: boolean;
}
