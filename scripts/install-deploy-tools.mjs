#!/usr/bin/env node
// Installs the tools the deployment checks need (see scripts/lib/deploy-tools.mjs). Exit 1 when
// any is still missing afterwards.
import { installMissingDeployTools } from './lib/deploy-tools.mjs';

const missing = installMissingDeployTools();
if (missing.length) {
  console.error(`Still missing: ${missing.join(', ')}`);
  process.exit(1);
}
console.log('Deployment check tools present.');
