#!/usr/bin/env node
// Replaces the placeholder secrets of k8s/base/secrets.env with strong random values, before the first
// `kubectl apply -k k8s/base/` (or `kubectl apply -f ./k8s`: the plain manifests are rendered again):
//
//   node scripts/k8s-secrets.mjs            fills every placeholder (a value containing CHANGE_ME)
//   node scripts/k8s-secrets.mjs --force    replaces every value, real ones included
//   node scripts/k8s-secrets.mjs --file <path>   another secrets.env (default k8s/base/secrets.env)
//
// Values already real are never replaced without --force: they may be what a running database
// was initialised with. Comments and the order of the lines are kept; values are never printed.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PLACEHOLDER_MARK = 'CHANGE_ME'; // what loadConfig refuses in production
const LINE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const DEFAULT_FILE = path.join(ROOT, 'k8s', 'base', 'secrets.env');

/** A strong value in the format the key's reader expects. */
export function generateSecret(key) {
  // The order service's Ed25519 ticket key: a 64-hex-digit seed (services/order/src/config.ts).
  if (key === 'TICKET_SIGNING_KEY') return randomBytes(32).toString('hex');
  // Database passwords go into postgres:// URLs and SQL literals: hex needs no escaping in either.
  if (key.endsWith('_DB_PASSWORD') || key === 'POSTGRES_PASSWORD') return randomBytes(32).toString('hex');
  // The user service asks 8-72 characters with a letter and a digit of any password it stores.
  if (key === 'ADMIN_PASSWORD') {
    for (;;) {
      const value = randomBytes(18).toString('base64url');
      if (/[A-Za-z]/.test(value) && /[0-9]/.test(value)) return value;
    }
  }
  // JWT_SECRET, SERVICE_SECRET, CALLBACK_SECRET, GRAFANA_ADMIN_PASSWORD…: 384 bits, 64 characters
  // (production refuses secrets under 32).
  return randomBytes(48).toString('base64url');
}

export const isPlaceholder = (value) => value.trim() === '' || value.includes(PLACEHOLDER_MARK);

/**
 * The new text of a secrets.env and what changed. Throws when there is nothing it may replace
 * (every value is real and `force` is off).
 */
export function rewriteSecrets(text, { force = false } = {}) {
  const written = [];
  const kept = [];
  const lines = text.split('\n').map((line) => {
    const match = LINE.exec(line);
    if (!match) return line;
    const [, key, value] = match;
    if (!force && !isPlaceholder(value)) {
      kept.push(key);
      return line;
    }
    written.push(key);
    return `${key}=${generateSecret(key)}`;
  });
  if (written.length === 0) {
    throw new Error(
      kept.length
        ? `every secret already has a real value (${kept.join(', ')}); nothing replaced. Use --force to replace them all ` +
            '(database passwords then also need ALTER ROLE on a database already initialised).'
        : 'no KEY=value lines found',
    );
  }
  return { text: lines.join('\n'), written, kept };
}

function parseArgs(argv) {
  const options = { force: false, file: DEFAULT_FILE };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') options.force = true;
    else if (arg === '--file' && argv[i + 1]) options.file = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${arg} (usage: node scripts/k8s-secrets.mjs [--force] [--file <secrets.env>])`);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const before = fs.readFileSync(options.file, 'utf8');
  const { text, written, kept } = rewriteSecrets(before, options);
  // Written beside and renamed: an interrupted run never leaves a half-written file.
  const temp = `${options.file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o600 });
  fs.renameSync(temp, options.file);
  const where = path.relative(process.cwd(), options.file) || options.file;
  console.log(`${where}: generated ${written.join(', ')}.`);
  if (kept.length) console.log(`Kept the values already set: ${kept.join(', ')}.`);
  if (options.force && written.some((key) => key.endsWith('_DB_PASSWORD') || key === 'POSTGRES_PASSWORD')) {
    console.log(
      'Database passwords changed: a database already initialised keeps its old logins (init-db.sql runs once); ' +
        'change them there with ALTER ROLE … PASSWORD, or start from an empty volume.',
    );
  }
  if (options.file === DEFAULT_FILE) await refreshPlainManifests();
  console.log('Do not commit it now that it holds real secrets.');
}

/** k8s/01-secrets.yaml (and the hashed Secret name every component file refers to) follow the new values. */
async function refreshPlainManifests() {
  try {
    const render = await import('./k8s-render.mjs');
    const files = render.plainFiles(await render.kustomize());
    for (const [name, text] of files) fs.writeFileSync(path.join(render.K8S_DIR, name), text);
    console.log(`k8s/: the plain manifests (kubectl apply -f ./k8s) rendered again with them, ${files.size} files; do not commit those either.`);
  } catch (err) {
    console.log(`k8s/: not rendered again (${err.message}); run node scripts/k8s-render.mjs before kubectl apply -f ./k8s.`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`k8s-secrets: ${err.message}`);
    process.exit(1);
  });
}
