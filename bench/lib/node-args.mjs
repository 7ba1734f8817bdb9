// Node flags for the processes a benchmark starts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where profiles, heap snapshots and diagnostic reports of the benchmarked processes land: under
 * bench/results/, which git ignores. Without it a bare `--cpu-prof` writes into the process's
 * working directory, a service's folder, and leaves files git reports as untracked.
 */
export const DIAGNOSTICS_DIR = path.join(root, 'bench', 'results', 'diagnostics');

/**
 * BENCH_NODE_ARGS (space-separated, e.g. "--cpu-prof") when set, else `defaults`, after a
 * --diagnostic-dir of DIAGNOSTICS_DIR (a --cpu-prof-dir of the caller's own still wins).
 */
export function benchNodeArgs(defaults = [], env = process.env) {
  const args = env.BENCH_NODE_ARGS !== undefined ? env.BENCH_NODE_ARGS.split(' ').filter(Boolean) : defaults;
  return [`--diagnostic-dir=${DIAGNOSTICS_DIR}`, ...args];
}
