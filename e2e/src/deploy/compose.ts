import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { ROOT } from '../root';
import { requireTool } from './tools';

export const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

export interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | null>;
  ports?: (string | { target: number; published?: string | number; host_ip?: string })[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { type: string; source?: string; target: string; read_only?: boolean })[];
  restart?: string;
  pid?: string;
  networks?: string[] | Record<string, unknown>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
}

/** docker-compose.yml as written: anchors and merge keys (<<) resolved, ${…} left as they are. */
export function readComposeFile(path = COMPOSE_FILE): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/**
 * The problems the Compose Specification's JSON schema finds (the copy dclint ships, kept current
 * with compose-spec), as "path: message" lines.
 */
export function composeSchemaProblems(document: unknown): string[] {
  const schemaFile = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  // Ajv knows draft-07 under its own id; the schema names it by another spelling of the same URL.
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const valid = ajv.validate(schema, document);
  return valid ? [] : (ajv.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * What the real docker-compose makes of the file (`docker-compose config`): variables
 * interpolated from `env` and from `envFile` (instead of a .env beside the file), merged,
 * normalised. Only PATH and HOME of this process reach it, so the test runner's NODE_ENV does not.
 */
export async function composeConfig(options: { envFile: string; env?: Record<string, string> }): Promise<ComposeFile> {
  const tool = await requireTool('docker-compose');
  const { stdout } = await promisify(execFile)(tool, ['--env-file', options.envFile, '-f', COMPOSE_FILE, 'config'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`docker-compose config failed: ${e.stderr || e.message}`);
  });
  return parse(stdout) as ComposeFile;
}

/** depends_on as { dependency: condition } (the short list form means service_started). */
export function dependencies(service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d.condition]));
}

/** A cycle in depends_on (the service names around it), or null. */
export function dependencyCycle(file: ComposeFile): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dep of Object.keys(dependencies(file.services[name] ?? {}))) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return null;
  };
  for (const name of Object.keys(file.services)) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return null;
}

/** Published ports as { container port: "host_ip:published" }. */
export function publishedPorts(service: ComposeService): Record<number, string> {
  const out: Record<number, string> = {};
  for (const port of service.ports ?? []) {
    if (typeof port === 'string') {
      const parts = port.replace(/\/(tcp|udp)$/, '').split(':');
      const target = Number(parts.pop());
      out[target] = parts.join(':');
    } else {
      out[port.target] = `${port.host_ip ?? ''}:${port.published ?? ''}`.replace(/^:/, '');
    }
  }
  return out;
}

/** Bind mounts as { source on the host, target in the container, read-only }. */
export function bindMounts(service: ComposeService): { source: string; target: string; readOnly: boolean }[] {
  return (service.volumes ?? []).flatMap((v) => {
    if (typeof v === 'string') {
      const [source, target, mode] = v.split(':');
      return /^[./~]/.test(source) ? [{ source, target, readOnly: mode === 'ro' }] : [];
    }
    return v.type === 'bind' && v.source ? [{ source: v.source, target: v.target, readOnly: Boolean(v.read_only) }] : [];
  });
}
