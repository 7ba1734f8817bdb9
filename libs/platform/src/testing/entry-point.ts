import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Runs a service's compiled entry point (`main`) as its own process, as `npm start` and the images
 * do, with only PATH and `env` in its environment. `output()` is everything it printed so far.
 */
export function startEntryPoint(main: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  return { child, output: () => out };
}

/** The process's exit code once it exits; killed (and null) if it has not within `timeoutMs`. */
export async function exitCode(child: ChildProcess, timeoutMs = 20_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    return code;
  } finally {
    clearTimeout(timer);
  }
}
