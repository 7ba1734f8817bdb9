import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

/**
 * `page` (from 1) and `limit` query parameters. `limit` above the cap is clamped rather than refused,
 * as GitHub and Stripe do; non-numbers, zero and negatives are a 400.
 */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1_000_000, default: 1, example: 1 })
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, example: 20 })
  @Transform(({ value }) => {
    const n = toInt({ value });
    return typeof n === 'number' && n > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : n;
  })
  @IsInt()
  @Min(1)
  limit = 20;
}

/**
 * Rows to skip for a page. A function, not a getter on PageQuery: the query string is copied onto
 * the DTO before validation, and `?offset=5` assigned to a getter-only property threw a TypeError
 * (a 500); now `offset` is an unknown parameter like any other (400).
 */
export function pageOffset(query: { page: number; limit: number }): number {
  return (query.page - 1) * query.limit;
}
