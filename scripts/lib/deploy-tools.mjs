// The command-line tools the deployment checks run (e2e/test/deploy): real Prometheus, promtool,
// Alertmanager, amtool, docker-compose, kubectl and psql, from Debian's packages. `npm test` and `.ci/run` install the
// missing ones with apt-get when they can (root on Debian); otherwise the checks that need a tool
// fail and name the package to install.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** command → Debian package that provides it */
export const DEPLOY_TOOLS = Object.freeze({
  promtool: 'prometheus',
  prometheus: 'prometheus',
  'prometheus-process-exporter': 'prometheus-process-exporter',
  // Debian names the Alertmanager binary after its package (the image's is `alertmanager`).
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  'docker-compose': 'docker-compose',
  kubectl: 'kubernetes-client',
  psql: 'postgresql-client',
});

/** Absolute path of `command` on PATH, or null. */
export function findCommand(command, env = process.env) {
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function missingDeployTools(env = process.env) {
  return Object.keys(DEPLOY_TOOLS).filter((command) => !findCommand(command, env));
}

/**
 * Installs the packages of the missing tools with apt-get. Returns the commands still missing.
 * Does nothing (and says why) when not root or not on a Debian-like system.
 */
export function installMissingDeployTools({ log = console.log } = {}) {
  const missing = missingDeployTools();
  if (missing.length === 0) return [];
  const packages = [...new Set(missing.map((command) => DEPLOY_TOOLS[command]))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !findCommand('apt-get')) {
    log(
      `The deployment checks need ${missing.join(', ')} (Debian packages: ${packages.join(' ')}). ` +
        `Install them (sudo apt-get install -y ${packages.join(' ')}); until then those checks fail.`,
    );
    return missing;
  }
  log(`Installing ${packages.join(', ')} with apt-get for the deployment checks (${missing.join(', ')} missing)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
  // A fresh machine's package lists may be empty or stale: update once, then install.
  const update = spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  if (update.status !== 0) log('apt-get update failed; trying the install with the lists there are.');
  const result = install();
  if (result.status !== 0) log(`apt-get install ${packages.join(' ')} failed (exit ${result.status}).`);
  return missingDeployTools();
}
