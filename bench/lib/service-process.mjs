// One service of ours as a child process, for the benchmarks that measure a service alone.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/lib/common.mjs';
import { SERVICES } from '../../scripts/lib/services.mjs';
import { benchNodeArgs } from './node-args.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Starts services/<name> on a free port as its image starts it: the heap flags scripts/lib/services.mjs
 * gives it, or BENCH_NODE_ARGS (e.g. "--cpu-prof": profiles land in bench/results/diagnostics/). Resolves once /health
 * answers 200: { port, child, nodeArgs, output() }. Fails with the service's output if it exits or
 * does not come up within a minute.
 */
export async function startServiceProcess(name, env) {
  const port = await freePort();
  const nodeArgs = benchNodeArgs(SERVICES.find((s) => s.name === name).nodeArgs);
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, `services/${name}/dist/src/main.js`)], {
    env: { PATH: process.env.PATH, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${name} service exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the ${name} service did not start:\n${output}`);
    if (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)) return { port, child, nodeArgs, output: () => output };
    await new Promise((r) => setTimeout(r, 200));
  }
}
