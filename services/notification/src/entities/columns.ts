import { ValueTransformer } from 'typeorm';

/** bigint ids come back from pg as strings; they fit in a JS number (ids stay far below 2^53). */
export const bigintId: ValueTransformer = {
  to: (v: number) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};
