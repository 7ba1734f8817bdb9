import { join } from 'node:path';

/** The repository's root (this file compiles to e2e/dist/src/root.js). */
export const ROOT = join(__dirname, '..', '..', '..');
