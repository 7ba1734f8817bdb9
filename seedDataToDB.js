#!/usr/bin/env node
// Loads a directory of etsr_*.csv tables (default seed-data/) into the running services through
// their import endpoints, as the administrator. Idempotent: a second run adds nothing.
//
//   node seedDataToDB.js [dir] [--user-url URL] [--catalog-url URL] [--seating-url URL]
//        [--order-url URL] [--payment-url URL] [--admin-username NAME] [--admin-password PW]
//        [--source NAME] [--country NAME]
//
// Exit 0 when everything loaded or only rows were skipped (each reported as file:line);
// 1 when a service failed or cannot be reached. seed-data/README.md explains the mapping.
'use strict';

const path = require('node:path');
const { parseArgs } = require('node:util');

const DEFAULT_URLS = { user: 'http://localhost:8081', catalog: 'http://localhost:8000', seating: 'http://localhost:8082', order: 'http://localhost:4003', payment: 'http://localhost:4004' };

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'user-url': { type: 'string' }, 'catalog-url': { type: 'string' }, 'seating-url': { type: 'string' }, 'order-url': { type: 'string' }, 'payment-url': { type: 'string' },
      'admin-username': { type: 'string' }, 'admin-password': { type: 'string' }, source: { type: 'string' }, country: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: node seedDataToDB.js [dir] [--<service>-url URL] [--admin-username NAME] [--admin-password PW] [--source NAME] [--country NAME]');
    return 0;
  }
  const dir = path.resolve(positionals[0] ?? path.join(__dirname, 'seed-data'));
  const urls = Object.fromEntries(Object.entries(DEFAULT_URLS).map(([name, url]) => [name, (values[`${name}-url`] ?? process.env[`${name.toUpperCase()}_URL`] ?? url).replace(/\/$/, '')]));
  const { createApi } = await import('./scripts/lib/seed/api.mjs');
  const { importDirectory, formatCounts } = await import('./scripts/lib/seed/importer.mjs');
  const api = createApi({ urls });
  // Defaults of services/user/src/config.ts (ADMIN_USERNAME) and the development admin password.
  await api.login(values['admin-username'] ?? process.env.ADMIN_USERNAME ?? 'admin', values['admin-password'] ?? process.env.ADMIN_PASSWORD ?? 'Admin123!');
  const { counts, problems } = await importDirectory({ dir, api, source: values.source, country: values.country });
  console.log('');
  console.log(formatCounts(counts));
  const created = Object.values(counts).reduce((n, c) => n + c.created, 0);
  console.log(created === 0 ? 'Nothing new: every row was already present (or skipped).' : `Created ${created} record(s).`);
  if (problems.length) console.log(`${problems.length} problem(s) reported above; those rows were skipped, the rest loaded.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`seedDataToDB: ${err.message}`);
    process.exit(1);
  },
);
