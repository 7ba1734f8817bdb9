import { ValueTransformer } from 'typeorm';

/**
 * For bigint and numeric columns, which pg returns as strings ("42", "75.00"): read them as
 * numbers. Ids stay far below 2^53 and amounts are at most a few million with 2 decimals, so a
 * JS number holds them exactly enough.
 */
export const numberColumn: ValueTransformer = {
  to: (v: number) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};
