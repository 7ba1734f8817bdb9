import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './registry';
import { requireTool } from './tools';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  /** Instant query; throws on a PromQL error. */
  query(expr: string): Promise<PromSample[]>;
  get<T = unknown>(path: string): Promise<T>;
  /** Re-reads the configuration and rule files (SIGHUP, as `kill -HUP` would); returns once it is sent. */
  reload(): void;
  stop(): Promise<void>;
}

/** A long-running tool process on loopback; its output is kept for the message of a failing check. */
export async function startProcess(command: string, args: string[], readyUrl: string, what: string): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    const ok = await fetch(readyUrl).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${what} not ready at ${readyUrl} within 30 s:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      // unref: a timer left waiting would keep the test process alive after the child has exited.
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 10_000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The real Prometheus (Debian's package) with the given configuration, on a free loopback port; `flags` added to its command line. */
export async function startPrometheus(configYaml: string, flags: string[] = []): Promise<RunningPrometheus> {
  const binary = await requireTool('prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'etsr-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startProcess(
    binary,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...flags],
    `${url}/-/ready`,
    'Prometheus',
  );
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  return {
    url,
    get,
    async query(expr) {
      const data = await get<{ resultType: string; result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.resultType === 'vector' ? data.result : [];
    },
    reload() {
      proc.child.kill('SIGHUP');
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's prometheus-process-exporter with the given config file, on a free loopback port. */
export async function startProcessExporter(configFile: string): Promise<{ address: string; stop(): Promise<void> }> {
  const binary = await requireTool('prometheus-process-exporter');
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const proc = await startProcess(binary, ['-config.path', configFile, '-web.listen-address', address], `http://${address}/metrics`, 'process-exporter');
  return { address, stop: () => proc.stop() };
}
