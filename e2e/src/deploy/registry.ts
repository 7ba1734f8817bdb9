import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../root';

/** A service as `npm start` knows it (scripts/lib/services.mjs): its port (docs/architecture.md) and paths. */
export interface RegisteredService {
  name: string;
  port: number;
  database: string;
  health: string;
  metrics: string;
  /** services/<name>/dist/src/main.js */
  entry: string;
  /** Node.js flags it runs with (its heap limits): npm start passes them, its image sets them as NODE_OPTIONS. */
  nodeArgs: string[];
}

export async function registeredServices(): Promise<RegisteredService[]> {
  const { SERVICES } = (await import(pathToFileURL(join(ROOT, 'scripts/lib/services.mjs')).href)) as { SERVICES: RegisteredService[] };
  return SERVICES;
}

export async function freePort(): Promise<number> {
  const { freePort: free } = (await import(pathToFileURL(join(ROOT, 'scripts/lib/common.mjs')).href)) as { freePort(): Promise<number> };
  return free();
}
