import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { client } from '@etsr/platform/testing';
import { parse } from 'yaml';
import { RunningPrometheus, startProcessExporter, startPrometheus } from '../../src/deploy/prometheus';
import { registeredServices } from '../../src/deploy/registry';
import { requireTool } from '../../src/deploy/tools';
import { waitFor } from '../../src/journeys';
import { ROOT, Stack, loadDemoData, startStack } from '../../src/stack';

const run = promisify(execFile);
const MONITORING = join(ROOT, 'k8s', 'base', 'monitoring');
const RULES_FILE = join(MONITORING, 'alert-rules.yml');
const DASHBOARDS_DIR = join(MONITORING, 'grafana', 'dashboards');

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: { targets: string[] }[];
}
interface Panel {
  id: number;
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}
interface Rule {
  alert: string;
  expr: string;
}

const prometheusConfig = () => parse(readFileSync(join(ROOT, 'prometheus.yml'), 'utf8')) as { rule_files: string[]; scrape_configs: ScrapeConfig[] };
const alertRules = (): Rule[] => (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const dashboards = (): Dashboard[] =>
  readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(DASHBOARDS_DIR, f), 'utf8')) as Dashboard);

/** Grafana's built-in variables, as Grafana would expand them for a short dashboard range. */
function expandGrafanaVariables(expr: string): string {
  return expr.replace(/\$__rate_interval/g, '30s').replace(/\$__range/g, '10m').replace(/\$__interval/g, '5s');
}

/** `<query> <comparison> <threshold>` → `<query>`: the part of an alert that must return data. */
export function alertQuery(expr: string): string {
  const m = /^([\s\S]+?)\s*(>=|<=|==|!=|>|<)\s*-?[0-9.]+\s*$/.exec(expr.trim());
  if (!m) throw new Error(`alert expression is not "<query> <comparison> <number>": ${expr}`);
  return m[1];
}

describe('Prometheus configuration and alert rules (real promtool)', () => {
  it('prometheus.yml scrapes every service by its compose name at the documented port and metrics path', async () => {
    const config = prometheusConfig();
    for (const service of await registeredServices()) {
      const job = config.scrape_configs.find((c) => c.job_name === `${service.name}-service`);
      assert.ok(job, `no scrape job ${service.name}-service`);
      assert.equal(job.metrics_path ?? '/metrics', service.metrics, `${job.job_name} metrics path`);
      assert.deepEqual(job.static_configs.flatMap((s) => s.targets), [`${service.name}-service:${service.port}`]);
    }
    const exporter = config.scrape_configs.find((c) => c.job_name === 'postgres-processes');
    assert.deepEqual(exporter?.static_configs.flatMap((s) => s.targets), ['process-exporter:9256']);
    assert.deepEqual(config.rule_files, ['/etc/prometheus/alert-rules.yml']);
  });

  it('promtool accepts the configuration with its rule file', async () => {
    const promtool = await requireTool('promtool');
    const dir = mkdtempSync(join(tmpdir(), 'etsr-promtool-'));
    try {
      // The container path of the rule file, mapped to the repository's copy.
      copyFileSync(RULES_FILE, join(dir, 'alert-rules.yml'));
      const text = readFileSync(join(ROOT, 'prometheus.yml'), 'utf8').replace('/etc/prometheus/alert-rules.yml', join(dir, 'alert-rules.yml'));
      writeFileSync(join(dir, 'prometheus.yml'), text);
      const { stdout } = await run(promtool, ['check', 'config', join(dir, 'prometheus.yml')]);
      assert.match(stdout, /SUCCESS: 7 rules found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('promtool checks the rules, and their unit tests pass (each alert fires when it should, and only then)', async () => {
    const promtool = await requireTool('promtool');
    const check = await run(promtool, ['check', 'rules', RULES_FILE]);
    assert.match(check.stdout, /SUCCESS: 7 rules found/);
    const tests = await run(promtool, ['test', 'rules', 'alert-rules.test.yml'], { cwd: MONITORING });
    assert.match(tests.stdout, /SUCCESS/);
    // Every alert has a unit test.
    const tested = readFileSync(join(MONITORING, 'alert-rules.test.yml'), 'utf8');
    for (const rule of alertRules()) assert.match(tested, new RegExp(`alertname: ${rule.alert}\\b`), `${rule.alert} has no promtool test`);
  });

  it('includes HighErrorRate, PaymentServiceDown, SeatReservationBottleneck plus outbox backlog and holds stuck past their TTL', () => {
    const names = alertRules().map((r) => r.alert);
    for (const name of ['HighErrorRate', 'SeatReservationBottleneck', 'PaymentServiceDown', 'OutboxBacklog', 'SeatHoldsStuckPastTTL']) {
      assert.ok(names.includes(name), name);
    }
  });
});

describe('Grafana provisioning', () => {
  it('provisions the Prometheus data source the dashboards refer to, and loads dashboards from where they are mounted', () => {
    const datasources = parse(readFileSync(join(MONITORING, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: { uid: string; type: string; url: string }[] };
    assert.deepEqual(datasources.datasources.map((d) => [d.uid, d.type, d.url]), [['prometheus', 'prometheus', 'http://prometheus:9090']]);
    const providers = parse(readFileSync(join(MONITORING, 'grafana/provisioning/dashboards/etsr.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    assert.deepEqual(providers.providers.map((p) => p.options.path), ['/var/lib/grafana/dashboards']);
  });

  it('has the three dashboards with the panels docs/architecture.md names, each with a query on the provisioned data source', () => {
    const byTitle = new Map(dashboards().map((d) => [d.title, d]));
    const expected: Record<string, string[]> = {
      'Microservices Overview': ['Service Health Status', 'Request Rate', 'Error Rate', 'Response Time P95', 'Active Reservations', 'Payment Success Rate'],
      'Database Performance': ['Connection Pool Usage', 'Query Execution Time', 'Database CPU Usage', 'Database Memory Usage'],
      'Business Metrics': ['Bookings per Hour', 'Revenue per Hour', 'Top Events by Bookings', 'User Registration Growth', 'Average Booking Value'],
    };
    assert.deepEqual([...byTitle.keys()].sort(), Object.keys(expected).sort());
    assert.equal(new Set(dashboards().map((d) => d.uid)).size, 3, 'dashboard uids are unique');
    for (const [title, panels] of Object.entries(expected)) {
      const dashboard = byTitle.get(title)!;
      for (const name of panels) assert.ok(dashboard.panels.some((p) => p.title === name), `${title}: panel ${name}`);
      assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, `${title}: panel ids are unique`);
      for (const panel of dashboard.panels) {
        assert.equal(panel.datasource?.uid, 'prometheus', `${title} / ${panel.title} data source`);
        assert.ok(panel.targets?.length, `${title} / ${panel.title} has no query`);
        for (const t of panel.targets!) assert.ok(t.expr.trim(), `${title} / ${panel.title} ${t.refId} is empty`);
      }
    }
  });
});

describe('every dashboard panel and alert query returns data from a real Prometheus scraping the running stack', () => {
  let stack: Stack;
  let prometheus: RunningPrometheus;
  let exporter: { address: string; stop(): Promise<void> };

  before(async () => {
    stack = await startStack();
    const { tokens } = await loadDemoData(stack);
    exporter = await startProcessExporter(join(MONITORING, 'process-exporter.yml'));
    // prometheus.yml itself, with each target moved to where this test runs it and a 1 s scrape.
    const config = prometheusConfig();
    const services = await registeredServices();
    const targets: Record<string, string> = { 'postgres-processes': exporter.address };
    for (const s of services) targets[`${s.name}-service`] = new URL(stack.urls[s.name]).host;
    const testConfig = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [RULES_FILE],
      scrape_configs: config.scrape_configs
        .filter((c) => c.job_name !== 'prometheus')
        .map((c) => {
          assert.ok(targets[c.job_name], `no running target for job ${c.job_name}`);
          return { ...c, static_configs: [{ targets: [targets[c.job_name]] }] };
        }),
    };
    prometheus = await startPrometheus(JSON.stringify(testConfig));

    // Two bookings, the second after Prometheus has seen the first, so counters have moved
    // between scrapes (increase() and rate() then have something to show).
    const api = Object.fromEntries(Object.entries(stack.urls).map(([name, url]) => [name, client(url)]));
    const book = async (seatIds: number[]) => {
      const hold = await api.seating.post('/v1/seats/reserve', { token: tokens.buyer, body: { eventId: 1, seatIds } });
      assert.equal(hold.status, 201, hold.text);
      const order = await api.order.post('/v1/orders', {
        token: tokens.buyer,
        headers: { 'Idempotency-Key': randomUUID() },
        body: { user_id: 5, event_id: 1, reservation_id: hold.body.reservationId, seats: seatIds },
      });
      assert.equal(order.status, 201, order.text);
      const paid = await api.payment.post('/v1/charge', {
        headers: { 'Idempotency-Key': randomUUID() },
        body: { merchant_order_id: order.body.orderId, amount_cents: order.body.totalCents, currency: 'INR', payment_method: 'UPI' },
      });
      assert.equal(paid.status, 201, paid.text);
      await waitFor(async () => (await api.order.get(`/v1/orders/${order.body.orderId}`, { token: tokens.buyer })).body.status === 'CONFIRMED', 'order CONFIRMED');
    };
    const seen = async (expr: string) => (await prometheus.query(expr)).some((s) => Number(s.value[1]) > 0);
    await book([301, 302]);
    await waitFor(() => seen('count_over_time(orders_confirmed_total[1m]) >= 2'), 'Prometheus has scraped the first booking twice', 30_000);
    await book([303]);
    await waitFor(() => seen('increase(orders_confirmed_total[1m])'), 'Prometheus sees bookings increase', 30_000);
    await waitFor(() => seen('increase(payment_transactions_total{status="SUCCESS"}[1m])'), 'Prometheus sees payments increase', 30_000);
    await waitFor(() => seen('increase(namedprocess_namegroup_cpu_seconds_total[30s])'), 'process-exporter scraped twice', 30_000);
  });

  after(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    await stack?.stop();
  });

  it('scrapes every target successfully', async () => {
    const data = await prometheus.get<{ activeTargets: { labels: { job: string }; health: string; lastError: string }[] }>('/api/v1/targets');
    const jobs = data.activeTargets.map((t) => `${t.labels.job}: ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`).sort();
    const services = await registeredServices();
    assert.deepEqual(jobs, [...services.map((s) => `${s.name}-service: up`), 'postgres-processes: up'].sort());
  });

  it('loads the alert rules, none in error', async () => {
    const data = await prometheus.get<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules');
    const rules = data.groups.flatMap((g) => g.rules);
    assert.deepEqual(rules.map((r) => r.name).sort(), alertRules().map((r) => r.alert).sort());
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  });

  it('every panel query of the three dashboards returns data', async () => {
    const empty: string[] = [];
    let queries = 0;
    for (const dashboard of dashboards()) {
      for (const panel of dashboard.panels) {
        for (const target of panel.targets ?? []) {
          queries++;
          const result = await prometheus.query(expandGrafanaVariables(target.expr));
          const finite = result.filter((s) => Number.isFinite(Number(s.value[1])));
          if (finite.length === 0) empty.push(`${dashboard.title} / ${panel.title} (${target.refId}): ${target.expr} → ${JSON.stringify(result)}`);
        }
      }
    }
    assert.deepEqual(empty, [], `panels without data:\n${empty.join('\n')}`);
    assert.ok(queries >= 25, `${queries} queries checked`);
  });

  it('the business panels count what happened: 2 bookings of 3 seats on event 1', async () => {
    const top = await prometheus.query(expandGrafanaVariables('topk(10, sum by (event_id) (increase(orders_confirmed_total[$__range])))'));
    assert.deepEqual(top.map((s) => s.metric.event_id), ['1']);
    const tickets = await prometheus.query('max(tickets_issued_total)');
    assert.equal(Number(tickets[0].value[1]), 3);
  });

  it('every alert query returns data (the part before its threshold), and no alert is firing on a healthy stack', async () => {
    for (const rule of alertRules()) {
      const result = await prometheus.query(alertQuery(rule.expr));
      assert.ok(result.length > 0, `${rule.alert}: ${alertQuery(rule.expr)} returned nothing`);
    }
    const alerts = await prometheus.get<{ alerts: { labels: { alertname: string }; state: string }[] }>('/api/v1/alerts');
    assert.deepEqual(alerts.alerts.map((a) => `${a.labels.alertname} ${a.state}`), []);
  });
});
