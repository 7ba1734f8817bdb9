import { ValueTransformer } from 'typeorm';

/** bigint ids come back from pg as strings; they fit in a JS number (ids stay far below 2^53). */
export const bigintId: ValueTransformer = {
  to: (v: number) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

/** numeric(10,2) comes back as a string ("75.00"); amounts up to 1,000,000.00 are exact enough as numbers. */
export const money: ValueTransformer = {
  to: (v: number) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};
