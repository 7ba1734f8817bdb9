import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { run } from './image-build';

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it printed so far, for the message of a failing check. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs a service's entry point as its image would (command, working directory, environment) and
 * resolves once `healthcheck` (a shell command, as in HEALTHCHECK CMD) exits 0 with the same
 * environment. Rejects with the service's output if it exits first or does not get healthy.
 */
export async function startServiceProcess(options: {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  healthcheck: string;
  timeoutMs?: number;
}): Promise<ServiceProcess> {
  const child = spawn(options.command[0], options.command.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const service: ServiceProcess = {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.command.join(' ')} exited with ${child.exitCode}:\n${output.slice(-4000)}`);
    const check = await run(['sh', '-c', options.healthcheck], options.cwd, options.env);
    if (check.code === 0) return service;
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`not healthy within ${(options.timeoutMs ?? 60_000) / 1000} s (last check: ${check.output.trim() || `exit ${check.code}`}):\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Runs a service's entry point until it exits and returns the message of its FATAL line: how a
 * service refuses a configuration ("Invalid configuration: …") or fails to reach its database.
 */
export async function fatalMessage(options: { command: string[]; cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<string> {
  const child = spawn(options.command[0], options.command.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  const fatal = output
    .split('\n')
    .filter((line) => line.includes('"FATAL"'))
    .map((line) => (JSON.parse(line) as { message: string }).message)
    .at(-1);
  if (code === 0 || fatal === undefined) throw new Error(`expected a FATAL exit, got exit ${code}:\n${output.slice(-4000)}`);
  return fatal;
}
