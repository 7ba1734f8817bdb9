import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { ROOT } from '../root';
import { startProcess } from './prometheus';
import { freePort } from './registry';
import { requireTool } from './tools';

export const ALERTMANAGER_CONFIG = join(ROOT, 'k8s', 'base', 'monitoring', 'alertmanager.yml');

export interface Route {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

export interface AlertmanagerConfig {
  global?: { smtp_smarthost?: string; smtp_from?: string; smtp_require_tls?: boolean } & Record<string, unknown>;
  route: Route;
  receivers: { name: string; email_configs?: { to: string; smarthost?: string; send_resolved?: boolean }[] }[];
  inhibit_rules?: unknown[];
}

export const alertmanagerConfig = (text = readFileSync(ALERTMANAGER_CONFIG, 'utf8')): AlertmanagerConfig => parse(text) as AlertmanagerConfig;

/** Every SMTP server the configuration sends through (host:port): the global smarthost and any receiver's own. */
export function smarthosts(config: AlertmanagerConfig): string[] {
  const hosts = config.receivers.flatMap((r) => (r.email_configs ?? []).map((e) => e.smarthost ?? config.global?.smtp_smarthost));
  return [...new Set(hosts.filter((h): h is string => Boolean(h)))];
}

/** The alertmanager targets of a Prometheus configuration (host:port, scheme http unless set). */
export function alertmanagerTargets(prometheusConfig: {
  alerting?: { alertmanagers?: { scheme?: string; path_prefix?: string; static_configs?: { targets: string[] }[] }[] };
}): string[] {
  return (prometheusConfig.alerting?.alertmanagers ?? []).flatMap((am) => (am.static_configs ?? []).flatMap((s) => s.targets.map((t) => `${am.scheme ?? 'http'}://${t}`)));
}

/** Seconds of an Alertmanager/Prometheus duration such as 1h30m, 10s, 500ms. */
export function seconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const parts = [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) throw new Error(`not a duration: ${duration}`);
  return parts.reduce((total, [, n, unit]) => total + Number(n) * units[unit], 0);
}

export interface RunningAlertmanager {
  url: string;
  /** host:port, as a Prometheus alertmanagers target. */
  address: string;
  stop(): Promise<void>;
}

/** The real Alertmanager (Debian's prometheus-alertmanager) with the given configuration, on a free loopback port, not clustered. */
export async function startAlertmanager(configYaml: string): Promise<RunningAlertmanager> {
  const binary = await requireTool('prometheus-alertmanager');
  const dir = mkdtempSync(join(tmpdir(), 'etsr-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, configYaml);
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const proc = await startProcess(
    binary,
    [`--config.file=${configFile}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=${address}`, '--cluster.listen-address=', '--log.level=warn'],
    `${url}/-/ready`,
    'Alertmanager',
  ).catch((e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  return {
    url,
    address,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface MailSink {
  /** host:port, as a smarthost. */
  address: string;
  /** Every message received so far, as it arrived (headers unfolded). */
  messages(): string[];
  stop(): Promise<void>;
}

/** The repository's SMTP sink (scripts/lib/smtp-sink.mjs) on a free loopback port, writing to a temporary directory. */
export async function startMailSink(): Promise<MailSink> {
  const { startSmtpSink } = (await import(pathToFileURL(join(ROOT, 'scripts/lib/smtp-sink.mjs')).href)) as {
    startSmtpSink(args: { port: number; dir: string; log: (m: string) => void }): Promise<{ url: string; port: number; stop(): Promise<void> }>;
  };
  const dir = mkdtempSync(join(tmpdir(), 'etsr-alert-mail-'));
  const sink = await startSmtpSink({ port: 0, dir, log: () => undefined });
  return {
    address: `127.0.0.1:${sink.port}`,
    messages: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .map((f) => readFileSync(join(dir, f), 'utf8').replace(/\r?\n[ \t]+/g, ' ')),
    async stop() {
      await sink.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A header of a raw message (the first of that name), or undefined. */
export function header(message: string, name: string): string | undefined {
  const head = message.split(/\r?\n\r?\n/)[0];
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
