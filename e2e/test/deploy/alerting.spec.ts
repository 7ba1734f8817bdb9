import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import {
  ALERTMANAGER_CONFIG,
  AlertmanagerConfig,
  MailSink,
  Route,
  RunningAlertmanager,
  alertmanagerConfig,
  alertmanagerTargets,
  header,
  seconds,
  smarthosts,
  startAlertmanager,
  startMailSink,
} from '../../src/deploy/alertmanager';
import { RunningPrometheus, startPrometheus } from '../../src/deploy/prometheus';
import { requireTool } from '../../src/deploy/tools';
import { waitFor } from '../../src/journeys';
import { ROOT } from '../../src/stack';

/**
 * Alerting: Prometheus sends the alerts of k8s/base/monitoring/alert-rules.yml to Alertmanager, which
 * e-mails them (k8s/base/monitoring/alertmanager.yml, one file for compose and Kubernetes). Checked
 * with the real amtool and promtool, then end to end: a real Prometheus with an always-firing
 * rule, a real Alertmanager, and an e-mail arriving at an SMTP server this test runs.
 */
const run = promisify(execFile);
const MONITORING = join(ROOT, 'k8s', 'base', 'monitoring');
const RULES_FILE = join(MONITORING, 'alert-rules.yml');
/** Each deployment's Prometheus configuration, and where it expects the rule file. */
const PROMETHEUS_CONFIGS = [
  { file: join(ROOT, 'prometheus.yml'), rules: '/etc/prometheus/alert-rules.yml' },
  { file: join(MONITORING, 'prometheus.yml'), rules: '/etc/prometheus/rules/alert-rules.yml' },
];

interface AlertRule {
  alert: string;
  labels?: Record<string, string>;
}
const alertRules = (): AlertRule[] => (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);

/** The route an alert with `labels` takes (first matching child, no `continue`), with the settings it inherits. */
function routeFor(root: Route, labels: Record<string, string>): Required<Pick<Route, 'receiver' | 'group_wait' | 'group_interval' | 'repeat_interval'>> & Route {
  const matches = (matcher: string) => {
    const m = /^\s*(\w+)\s*(=~|!~|!=|=)\s*"(.*)"\s*$/.exec(matcher);
    if (!m) throw new Error(`matcher ${matcher}: write it as name="value" (or =~, !=, !~)`);
    const [, name, op, value] = m;
    const actual = labels[name] ?? '';
    const full = new RegExp(`^(?:${value})$`);
    return op === '=' ? actual === value : op === '!=' ? actual !== value : op === '=~' ? full.test(actual) : !full.test(actual);
  };
  // Alertmanager's own defaults, for what the file leaves out.
  let route = { group_wait: '30s', group_interval: '5m', repeat_interval: '4h', ...root } as ReturnType<typeof routeFor>;
  for (;;) {
    const child = (route.routes ?? []).find((r) => (r.matchers ?? []).every(matches));
    if (!child) return route;
    route = { ...route, routes: undefined, ...child };
  }
}

describe('Alertmanager configuration (real amtool)', () => {
  it('amtool check-config accepts k8s/base/monitoring/alertmanager.yml', async () => {
    const amtool = await requireTool('amtool');
    const { stdout } = await run(amtool, ['check-config', ALERTMANAGER_CONFIG]);
    assert.match(stdout, /SUCCESS/);
    assert.match(stdout, /- 1 receivers/);
  });

  it('amtool refuses a broken configuration: a route to a receiver that does not exist', async () => {
    const amtool = await requireTool('amtool');
    const dir = mkdtempSync(join(tmpdir(), 'etsr-amtool-'));
    try {
      const broken = alertmanagerConfig();
      broken.route.receiver = 'nobody';
      writeFileSync(join(dir, 'alertmanager.yml'), stringify(broken));
      await assert.rejects(run(amtool, ['check-config', join(dir, 'alertmanager.yml')]), (e: { stdout: string; stderr: string }) => /undefined receiver "nobody"/.test(e.stdout + e.stderr));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every alert of alert-rules.yml is e-mailed to the operators through Mailpit, resolved ones too', async () => {
    const amtool = await requireTool('amtool');
    const config = alertmanagerConfig();
    for (const rule of alertRules()) {
      const labels = Object.entries({ alertname: rule.alert, ...rule.labels }).map(([k, v]) => `${k}=${v}`);
      const { stdout } = await run(amtool, ['config', 'routes', 'test', `--config.file=${ALERTMANAGER_CONFIG}`, ...labels]);
      assert.equal(stdout.trim(), 'operators', `${rule.alert} goes to ${stdout.trim()}`);
    }
    const operators = config.receivers.find((r) => r.name === 'operators')!;
    assert.deepEqual(operators.email_configs?.map((e) => [e.to, e.send_resolved]), [['operators@etsr.local', true]]);
    assert.equal(config.global?.smtp_from, 'alertmanager@etsr.local');
    // Mailpit, in both deployments, takes plain SMTP on 1025.
    assert.deepEqual(smarthosts(config), ['mailpit:1025']);
    assert.equal(config.global?.smtp_require_tls, false);
    // Shown, not required: no password, and no file a fresh deployment lacks.
    assert.doesNotMatch(stringify(config), /password/i);
  });

  it('groups by alert and service; critical alerts are sent sooner and repeated more often than warnings', () => {
    const config: AlertmanagerConfig = alertmanagerConfig();
    assert.deepEqual(config.route.group_by, ['alertname', 'job', 'service']);
    const severities = [...new Set(alertRules().map((r) => r.labels?.severity))].sort();
    assert.deepEqual(severities, ['critical', 'warning'], 'every rule has a severity the routes know');
    const critical = routeFor(config.route, { alertname: 'ServiceDown', severity: 'critical' });
    const warning = routeFor(config.route, { alertname: 'OutboxBacklog', severity: 'warning' });
    for (const [name, route] of Object.entries({ critical, warning })) {
      const [wait, interval, repeat] = [route.group_wait, route.group_interval, route.repeat_interval].map(seconds);
      assert.ok(wait >= 5 && wait <= 60, `${name}: group_wait ${route.group_wait}`);
      assert.ok(interval >= 60 && interval <= 15 * 60, `${name}: group_interval ${route.group_interval}`);
      assert.ok(repeat >= 30 * 60 && repeat <= 24 * 3600 && repeat > interval, `${name}: repeat_interval ${route.repeat_interval}`);
      assert.equal(route.receiver, 'operators');
    }
    assert.ok(seconds(critical.repeat_interval) < seconds(warning.repeat_interval), `critical every ${critical.repeat_interval}, warnings every ${warning.repeat_interval}`);
    assert.ok(seconds(critical.group_wait) <= seconds(warning.group_wait));
  });
});

describe('Prometheus sends its alerts to Alertmanager (real promtool)', () => {
  for (const { file, rules } of PROMETHEUS_CONFIGS) {
    const name = file.slice(ROOT.length + 1);
    it(`${name}: alerting to alertmanager:9093, and promtool accepts it with its rule file`, async () => {
      const promtool = await requireTool('promtool');
      const text = readFileSync(file, 'utf8');
      assert.deepEqual(alertmanagerTargets(parse(text)), ['http://alertmanager:9093']);
      const dir = mkdtempSync(join(tmpdir(), 'etsr-promtool-'));
      try {
        // The rule file at its container path, mapped to the repository's copy.
        copyFileSync(RULES_FILE, join(dir, 'alert-rules.yml'));
        const config = parse(text);
        assert.deepEqual(config.rule_files, [rules]);
        config.rule_files = [join(dir, 'alert-rules.yml')];
        // Debian builds Prometheus without Kubernetes discovery (k8s.spec.ts feeds it the pods the
        // same way): those jobs discover from a file instead, everything else as written.
        writeFileSync(join(dir, 'pods.json'), '[]');
        for (const job of config.scrape_configs) {
          if (!job.kubernetes_sd_configs) continue;
          delete job.kubernetes_sd_configs;
          job.file_sd_configs = [{ files: [join(dir, 'pods.json')] }];
        }
        writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
        const { stdout } = await run(promtool, ['check', 'config', join(dir, 'prometheus.yml')]);
        assert.match(stdout, /SUCCESS: 7 rules found/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('live: an alert that fires reaches a person by e-mail (real Prometheus and Alertmanager)', () => {
  const ALERT = 'EtsrAlertingCheck';
  const SUMMARY = 'The alerting path works: Prometheus, Alertmanager, SMTP';
  let sink: MailSink;
  let alertmanager: RunningAlertmanager;
  let prometheus: RunningPrometheus;
  let dir: string;
  const rulesFile = () => join(dir, 'rules.yml');
  const writeRules = (expr: string) =>
    writeFileSync(
      rulesFile(),
      stringify({
        groups: [{ name: 'alerting-check', rules: [{ alert: ALERT, expr, for: '0s', labels: { severity: 'critical', service: 'alerting-check' }, annotations: { summary: SUMMARY } }] }],
      }),
    );
  const mails = (subject: RegExp) => sink.messages().filter((m) => subject.test(header(m, 'Subject') ?? ''));
  /** The body as text: quoted-printable soft breaks and escapes undone. */
  const body = (message: string) =>
    message
      .slice(message.search(/\r?\n\r?\n/))
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etsr-alerting-'));
    sink = await startMailSink();
    // alertmanager.yml itself, sending to this test's SMTP server, with groups sent at once.
    const config = alertmanagerConfig();
    assert.ok(config.global?.smtp_smarthost, 'a global smarthost to move');
    config.global.smtp_smarthost = sink.address;
    const quick = (route: Route) => {
      route.group_wait = '1s';
      route.group_interval = '1s';
      for (const child of route.routes ?? []) quick(child);
    };
    quick(config.route);
    alertmanager = await startAlertmanager(stringify(config));
    // prometheus.yml's alerting section sending to that Alertmanager; one rule that always fires.
    const prometheusConfig = parse(readFileSync(join(ROOT, 'prometheus.yml'), 'utf8'));
    assert.deepEqual(alertmanagerTargets(prometheusConfig), ['http://alertmanager:9093']);
    prometheusConfig.alerting.alertmanagers[0].static_configs = [{ targets: [alertmanager.address] }];
    writeRules('vector(1)');
    // Alerts are resent every second, not every minute: one sent before Prometheus has found its
    // Alertmanager is dropped.
    prometheus = await startPrometheus(
      stringify({ global: { scrape_interval: '1s', evaluation_interval: '1s' }, rule_files: [rulesFile()], alerting: prometheusConfig.alerting, scrape_configs: [] }),
      ['--rules.alert.resend-delay=1s'],
    );
  });

  after(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await sink?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the firing alert arrives as an e-mail to operators@etsr.local, from alertmanager@etsr.local, with its summary', async () => {
    await waitFor(async () => mails(new RegExp(`^\\[FIRING:1\\] ${ALERT}\\b`)).length > 0, `an e-mail "[FIRING:1] ${ALERT}" at the SMTP server`, 60_000);
    const [mail] = mails(new RegExp(`^\\[FIRING:1\\] ${ALERT}\\b`));
    assert.equal(header(mail, 'To'), 'operators@etsr.local');
    assert.equal(header(mail, 'From'), 'alertmanager@etsr.local');
    assert.ok(body(mail).includes(SUMMARY), 'the summary annotation is in the e-mail');
    const discovered = await prometheus.get<{ activeAlertmanagers: { url: string }[] }>('/api/v1/alertmanagers');
    assert.deepEqual(discovered.activeAlertmanagers.map((a) => new URL(a.url).host), [alertmanager.address]);
  });

  it('when the alert stops firing, a "resolved" e-mail follows (send_resolved)', async () => {
    await waitFor(async () => mails(new RegExp(`^\\[FIRING:1\\] ${ALERT}\\b`)).length > 0, 'the firing e-mail first', 60_000);
    writeRules('vector(1) == 0');
    prometheus.reload();
    await waitFor(async () => mails(new RegExp(`^\\[RESOLVED\\] ${ALERT}\\b`)).length > 0, `an e-mail "[RESOLVED] ${ALERT}" at the SMTP server`, 60_000);
    const [mail] = mails(new RegExp(`^\\[RESOLVED\\] ${ALERT}\\b`));
    assert.equal(header(mail, 'To'), 'operators@etsr.local');
  });
});
