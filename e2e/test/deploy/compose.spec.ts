import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { ComposeFile, bindMounts, composeConfig, composeSchemaProblems, dependencies, dependencyCycle, publishedPorts, readComposeFile } from '../../src/deploy/compose';
import { alertmanagerConfig, alertmanagerTargets, smarthosts } from '../../src/deploy/alertmanager';
import { finalStage, healthcheck, readDockerfile } from '../../src/deploy/dockerfile';
import { RegisteredService, freePort, registeredServices } from '../../src/deploy/registry';
import { SERVICE_NAMES, ServiceSetting, serviceSettings } from '../../src/deploy/service-settings';
import { operands, readmeCommands } from '../../src/deploy/readme-commands';
import { fatalMessage } from '../../src/deploy/service-process';
import { ROOT } from '../../src/stack';

/**
 * docker-compose.yml, checked with the real docker-compose (`config`), the Compose Specification's
 * schema and the services' own settings. No Docker engine runs here; what can be run is run: each
 * service's entry point gets the environment compose would give it and must accept it (and
 * refuse it in production when a secret is left at its development value).
 */
const OTHER_SERVICES = ['postgres', 'mailpit', 'prometheus', 'process-exporter', 'alertmanager', 'grafana'];
/** Variables the runtime reads besides a service's settings. */
const RUNTIME_VARIABLES = new Set(['NODE_OPTIONS', 'TZ']);
const composeName = (service: string) => `${service}-service`;

let dir: string;
let services: RegisteredService[];
let written: ComposeFile;
let development: ComposeFile;
let production: ComposeFile;
let productionEnv: Record<string, string>;
let placeholders: ComposeFile;
const settings = new Map<string, ServiceSetting[]>();

before(async () => {
  services = await registeredServices();
  for (const name of SERVICE_NAMES) settings.set(name, serviceSettings(name));
  written = readComposeFile();
  dir = mkdtempSync(join(tmpdir(), 'etsr-compose-'));
  // No .env: the laptop setup. An empty env file, so that a developer's own .env does not count.
  writeFileSync(join(dir, 'empty.env'), '');
  development = await composeConfig({ envFile: join(dir, 'empty.env') });
  // Production: .env.example with every CHANGE_ME replaced by a random value, as its header says.
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  writeFileSync(join(dir, 'example.env'), example);
  placeholders = await composeConfig({ envFile: join(dir, 'example.env') });
  const filled = example.replace(/CHANGE_ME/g, () => randomBytes(32).toString('hex'));
  productionEnv = Object.fromEntries(filled.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  writeFileSync(join(dir, 'production.env'), filled);
  production = await composeConfig({ envFile: join(dir, 'production.env') });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('docker-compose.yml: the file', () => {
  it('is valid for the Compose Specification schema, as written and as docker-compose resolves it', () => {
    assert.deepEqual(composeSchemaProblems(written), []);
    assert.deepEqual(composeSchemaProblems(development), []);
    assert.deepEqual(composeSchemaProblems(production), []);
  });

  it('holds the six <name>-service services built from their Dockerfiles, and the database, inbox and monitoring', () => {
    assert.deepEqual(Object.keys(development.services).sort(), [...SERVICE_NAMES.map(composeName), ...OTHER_SERVICES].sort());
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    for (const name of SERVICE_NAMES) {
      const service = development.services[composeName(name)];
      assert.deepEqual(service.build, { context: ROOT, dockerfile: `services/${name}/Dockerfile` }, composeName(name));
      assert.equal(service.image, `etsr/${name}-service:${version}`, composeName(name));
      assert.equal(service.restart, 'unless-stopped', composeName(name));
    }
  });

  it('every docker-compose command of README.md names services of this file, and the usual ones are there', () => {
    const commands = [...readmeCommands('docker-compose'), ...readmeCommands('docker compose')];
    const problems: string[] = [];
    let named = 0;
    for (const args of commands) {
      const [subcommand, ...rest] = operands(args, ['--tail', '--rmi', '--scale', '-t', '--timeout']);
      if (!['logs', 'restart', 'up', 'build', 'ps', 'stop', 'start', 'pull', 'exec', 'rm'].includes(subcommand)) continue;
      // exec <service> <command…>: only the first operand is a service.
      for (const service of subcommand === 'exec' ? rest.slice(0, 1) : rest) {
        named++;
        if (!development.services[service]) problems.push(`docker-compose ${args.join(' ')}: no service ${service}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(named >= 4, `only ${named} service names in ${commands.length} commands`);
    // The commands README.md says work as printed.
    for (const step of ['build', 'up -d', 'logs -f user-service', 'restart user-service', 'up -d --build user-service', 'down -v']) {
      assert.ok(commands.some((a) => a.join(' ') === step), `README.md lacks docker-compose ${step}`);
    }
  });

  it('pins every other image to a version, never latest', () => {
    for (const name of OTHER_SERVICES) {
      const image = development.services[name].image ?? '';
      assert.match(image, /^[a-z0-9./-]+:v?\d+(\.\d+)*(-[a-z0-9.]+)?$/, `${name}: ${image}`);
    }
    assert.match(development.services.postgres.image!, /^postgres:16[.-]/);
  });

  it('uses the third-party images Kubernetes uses (one version of each across deployments)', () => {
    const k8sImages = new Map<string, string>();
    const walk = (path: string): void => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        const full = join(path, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.ya?ml$/.test(entry.name)) for (const [, repo, tag] of readFileSync(full, 'utf8').matchAll(/image:\s*["']?([^\s:"']+):([^\s"']+)/g)) k8sImages.set(repo, tag);
      }
    };
    walk(join(ROOT, 'k8s'));
    for (const name of OTHER_SERVICES) {
      const [repo, tag] = development.services[name].image!.split(':');
      const k8sTag = k8sImages.get(repo);
      if (k8sTag === undefined) continue; // not deployed there
      assert.equal(tag.split('-')[0], k8sTag.split('-')[0], `${repo}: ${tag} here, ${k8sTag} in k8s/`);
    }
  });

  it('publishes the documented ports (on 127.0.0.1 by default: development secrets are public)', () => {
    for (const s of services) assert.deepEqual(publishedPorts(development.services[composeName(s.name)]), { [s.port]: `127.0.0.1:${s.port}` }, composeName(s.name));
    const others: Record<string, Record<number, string>> = {
      postgres: {},
      mailpit: { 1025: '127.0.0.1:1025', 8025: '127.0.0.1:8025' },
      prometheus: { 9090: '127.0.0.1:9090' },
      'process-exporter': { 9256: '127.0.0.1:9256' },
      alertmanager: { 9093: '127.0.0.1:9093' },
      grafana: { 3000: '127.0.0.1:3000' },
    };
    for (const [name, ports] of Object.entries(others)) assert.deepEqual(publishedPorts(development.services[name]), ports, name);
  });

  it('mounts only files and directories that exist in the repository', () => {
    let count = 0;
    for (const [name, service] of Object.entries(development.services)) {
      for (const mount of bindMounts(service)) {
        const inRepo = relative(ROOT, mount.source);
        assert.ok(isAbsolute(mount.source) && !inRepo.startsWith('..'), `${name}: ${mount.source} is outside the repository`);
        assert.ok(existsSync(mount.source), `${name}: ${inRepo} does not exist`);
        assert.ok(mount.readOnly, `${name}: ${inRepo} should be mounted read-only`);
        count++;
      }
    }
    assert.equal(count, 7);
  });

  it('depends_on is acyclic, and a dependency with a health check is waited for until healthy', () => {
    assert.equal(dependencyCycle(development), null);
    // The six services' health checks are their images' HEALTHCHECK.
    const healthChecked = (name: string) => {
      const service = development.services[name];
      if (service.healthcheck && !service.healthcheck.disable) return true;
      const build = service.build;
      return typeof build === 'object' && build.dockerfile !== undefined && healthcheck(finalStage(readDockerfile(join(build.context, build.dockerfile)))) !== undefined;
    };
    for (const [name, service] of Object.entries(development.services)) {
      for (const [dep, condition] of Object.entries(dependencies(service))) {
        assert.ok(development.services[dep], `${name} depends on ${dep}, which is not a service`);
        assert.equal(condition, healthChecked(dep) ? 'service_healthy' : 'service_started', `${name} → ${dep}`);
      }
    }
    for (const name of [...SERVICE_NAMES.map(composeName), ...OTHER_SERVICES]) {
      if (name === 'postgres' || name === 'mailpit') continue;
      assert.ok(healthChecked(name) || name === 'process-exporter', `${name} has no health check`);
    }
    for (const name of SERVICE_NAMES) assert.equal(dependencies(development.services[composeName(name)]).postgres, 'service_healthy', `${name} waits for the database`);
    assert.ok(healthChecked('postgres') && healthChecked('mailpit'));
    // The booking saga's caller starts last; payment calls order back but does not wait for it.
    // Every service but user waits for it: it loads the revoked tokens from there before it answers.
    assert.deepEqual(Object.keys(dependencies(development.services['order-service'])).sort(), ['catalog-service', 'notification-service', 'payment-service', 'postgres', 'seating-service', 'user-service']);
    for (const name of SERVICE_NAMES.filter((n) => n !== 'user')) {
      assert.equal(dependencies(development.services[composeName(name)])['user-service'], 'service_healthy', `${name} waits for the user service`);
    }
  });
});

describe('docker-compose.yml: what each service is given', () => {
  it('every setting a service must have (required, secret or address) is set, and nothing it does not read', () => {
    for (const name of SERVICE_NAMES) {
      const env = development.services[composeName(name)].environment ?? {};
      const declared = new Set(settings.get(name)!.map((s) => s.name));
      for (const setting of settings.get(name)!) {
        if (setting.required || setting.secret || setting.url) assert.ok(setting.name in env, `${composeName(name)}: ${setting.name} is not set`);
      }
      for (const variable of Object.keys(env)) assert.ok(declared.has(variable) || RUNTIME_VARIABLES.has(variable), `${composeName(name)}: ${variable} is not a setting of the ${name} service`);
    }
  });

  it('believes no X-Forwarded-For unless .env names the proxy in front: TRUST_PROXY false as shipped, what .env sets otherwise', async () => {
    for (const name of SERVICE_NAMES) {
      assert.equal(development.services[composeName(name)].environment!.TRUST_PROXY, 'false', `${composeName(name)} in development`);
      assert.equal(production.services[composeName(name)].environment!.TRUST_PROXY, 'false', `${composeName(name)} with .env.example`);
    }
    writeFileSync(join(dir, 'proxy.env'), 'TRUST_PROXY=172.16.0.0/12\n');
    const behindProxy = await composeConfig({ envFile: join(dir, 'proxy.env') });
    for (const name of SERVICE_NAMES) assert.equal(behindProxy.services[composeName(name)].environment!.TRUST_PROXY, '172.16.0.0/12', composeName(name));
  });

  it('service addresses are compose names on the documented ports; each DATABASE_URL is the service\'s own login and database', () => {
    const byName = new Map(services.map((s) => [s.name, s]));
    const postgresEnv = development.services.postgres.environment!;
    for (const name of SERVICE_NAMES) {
      const env = development.services[composeName(name)].environment!;
      for (const setting of settings.get(name)!.filter((s) => s.url)) {
        const url = new URL(env[setting.name]!);
        if (setting.name === 'DATABASE_URL') {
          const prefix = name.toUpperCase();
          assert.equal(`${url.protocol}//${url.username}@${url.host}${url.pathname}`, `postgres://${name}_service@postgres:5432/${byName.get(name)!.database}`, `${name}: DATABASE_URL`);
          assert.equal(decodeURIComponent(url.password), postgresEnv[`${prefix}_DB_PASSWORD`], `${name}: its password is the one init-db.sql gives its login`);
        } else if (setting.name === 'SMTP_URL') {
          assert.equal(env.SMTP_URL, 'smtp://mailpit:1025');
        } else if (setting.name === 'PUBLIC_URL') {
          // Not a call between services: where buyers reach the user service, its published port.
          assert.equal(env.PUBLIC_URL, `http://localhost:${byName.get('user')!.port}`);
        } else {
          const target = setting.name.replace(/_URL$/, '').toLowerCase();
          assert.ok(byName.has(target), `${name}: ${setting.name} names no service`);
          assert.equal(env[setting.name], `http://${composeName(target)}:${byName.get(target)!.port}`, `${name}: ${setting.name}`);
        }
      }
    }
  });

  it('all services share JWT_SECRET and SERVICE_SECRET; payment and order share CALLBACK_SECRET', () => {
    for (const config of [development, production]) {
      const env = (name: string) => config.services[composeName(name)].environment!;
      for (const secret of ['JWT_SECRET', 'SERVICE_SECRET']) assert.equal(new Set(SERVICE_NAMES.map((n) => env(n)[secret])).size, 1, secret);
      assert.equal(env('payment').CALLBACK_SECRET, env('order').CALLBACK_SECRET);
    }
    assert.equal(production.services['user-service'].environment!.JWT_SECRET, productionEnv.JWT_SECRET);
  });

  it('development by default; NODE_ENV and every secret come from .env in production', () => {
    for (const name of SERVICE_NAMES) {
      assert.equal(development.services[composeName(name)].environment!.NODE_ENV, 'development');
      const env = production.services[composeName(name)].environment!;
      assert.equal(env.NODE_ENV, 'production');
      for (const setting of settings.get(name)!.filter((s) => s.secret && s.name in env && env[s.name] !== '')) {
        const value = setting.name === 'DATABASE_URL' ? decodeURIComponent(new URL(env.DATABASE_URL!).password) : env[setting.name];
        assert.ok(Object.values(productionEnv).includes(value!), `${composeName(name)}: ${setting.name} does not come from .env`);
      }
    }
  });

  // The real entry point with compose's environment: a configuration it refuses ends in
  // "Invalid configuration"; one it accepts gets as far as the database. The "database" is a port
  // this test holds and hangs up on: a merely free port could be taken by another test meanwhile.
  async function verdict(config: ComposeFile, name: string): Promise<string> {
    const env = { ...(config.services[composeName(name)].environment as Record<string, string>) };
    const hangUp = createServer((socket) => socket.end());
    hangUp.listen(0, '127.0.0.1');
    await once(hangUp, 'listening');
    const url = new URL(env.DATABASE_URL);
    url.host = `127.0.0.1:${(hangUp.address() as AddressInfo).port}`;
    try {
      return await fatalMessage({
        command: [process.execPath, join(ROOT, 'services', name, 'dist', 'src', 'main.js')],
        cwd: join(ROOT, 'services', name),
        env: { ...env, PATH: process.env.PATH ?? '', DATABASE_URL: url.toString(), DB_CONNECT_RETRIES: '0', PORT: String(await freePort()), HOST: '127.0.0.1' },
      });
    } finally {
      hangUp.close();
    }
  }

  it('each service accepts its configuration: in development as it is, in production with the .env', async () => {
    for (const config of [development, production]) {
      const verdicts = await Promise.all(SERVICE_NAMES.map(async (name) => [name, await verdict(config, name)] as const));
      for (const [name, message] of verdicts) {
        assert.doesNotMatch(message, /Invalid configuration/, `${name} (${config.services[composeName(name)].environment!.NODE_ENV}): ${message}`);
        assert.match(message, /Connection terminated unexpectedly|ECONNRESET/, `${name}: ${message}`); // the database hung up
      }
    }
  });

  it('in production every service refuses the .env.example placeholders and the development defaults', async () => {
    const unfilled = structuredClone(development);
    for (const name of SERVICE_NAMES) unfilled.services[composeName(name)].environment!.NODE_ENV = 'production';
    for (const config of [placeholders, unfilled]) {
      const verdicts = await Promise.all(SERVICE_NAMES.map(async (name) => [name, await verdict(config, name)] as const));
      for (const [name, message] of verdicts) {
        assert.match(message, /Invalid configuration/, `${name}: ${message}`);
        assert.match(message, /JWT_SECRET is (the development default|a placeholder)/, `${name}: ${message}`);
        // The database login's password too: a forgotten one must not start a production system.
        assert.match(message, /DATABASE_URL is a placeholder/, `${name}: ${message}`);
      }
    }
  });
});

describe('docker-compose.yml: database and monitoring', () => {
  it('postgres: init-db.sql creates the logins from passwords in its environment; healthy once it is done', () => {
    const postgres = development.services.postgres;
    const mounts = bindMounts(postgres);
    assert.deepEqual(mounts.map((m) => [relative(ROOT, m.source), m.target]), [['init-db.sql', '/docker-entrypoint-initdb.d/init-db.sql']]);
    assert.ok((postgres.volumes ?? []).some((v) => typeof v === 'string' && v.startsWith('postgres-data:/var/lib/postgresql/data')));
    const initDb = readFileSync(join(ROOT, 'init-db.sql'), 'utf8');
    for (const name of SERVICE_NAMES) {
      const variable = `${name.toUpperCase()}_DB_PASSWORD`;
      assert.ok(postgres.environment![variable], `postgres: ${variable}`);
      assert.match(initDb, new RegExp(`\\\\getenv \\w+ ${variable}\\b`), `init-db.sql does not read ${variable}`);
      assert.ok(!initDb.includes(postgres.environment![variable]!), `init-db.sql holds the password of ${variable}`);
    }
    // Over TCP: while init-db.sql runs, the server listens on its socket only.
    assert.deepEqual(postgres.healthcheck!.test, ['CMD', 'pg_isready', '--host', '127.0.0.1', '--username', 'postgres', '--dbname', 'postgres']);
  });

  it('prometheus: its configuration and the alert rules prometheus.yml names, at the paths it names', () => {
    const prometheus = development.services.prometheus;
    const mounted = new Map(bindMounts(prometheus).map((m) => [m.target, relative(ROOT, m.source)]));
    assert.equal(mounted.get('/etc/prometheus/prometheus.yml'), 'prometheus.yml');
    assert.equal(mounted.get('/etc/prometheus/alert-rules.yml'), 'k8s/base/monitoring/alert-rules.yml');
    assert.ok((prometheus.command as string[]).includes('--config.file=/etc/prometheus/prometheus.yml'));
    const config = parse(readFileSync(join(ROOT, 'prometheus.yml'), 'utf8')) as { rule_files?: string[]; scrape_configs: { static_configs?: { targets: string[] }[] }[] };
    for (const file of config.rule_files ?? []) assert.ok(mounted.has(file), `prometheus.yml loads ${file}, which is not mounted`);
    // Every target it scrapes is a compose service on a port that service listens on.
    for (const target of config.scrape_configs.flatMap((c) => c.static_configs ?? []).flatMap((c) => c.targets)) {
      const [host, port] = target.split(':');
      if (host === 'localhost') continue;
      assert.ok(development.services[host], `prometheus.yml scrapes ${target}: no such service`);
      const contract = services.find((s) => composeName(s.name) === host);
      if (contract) assert.equal(Number(port), contract.port, target);
    }
  });

  it('alertmanager: k8s/base/monitoring/alertmanager.yml at the path it is started with, data in a volume, healthy on /-/healthy, waited for by prometheus, which sends to it', () => {
    const alertmanager = development.services.alertmanager;
    const command = alertmanager.command as string[];
    const flag = (name: string) => command.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const mounted = new Map(bindMounts(alertmanager).map((m) => [m.target, m]));
    const config = mounted.get(flag('config.file')!);
    assert.ok(config, `${flag('config.file')} is not mounted`);
    assert.equal(relative(ROOT, config.source), 'k8s/base/monitoring/alertmanager.yml');
    assert.ok(config.readOnly);
    // Silences and the record of sent notifications survive a restart.
    assert.ok((alertmanager.volumes ?? []).some((v) => typeof v === 'string' && v.startsWith(`alertmanager-data:${flag('storage.path')}:`)), 'storage.path on the alertmanager-data volume');
    assert.ok(command.includes('--cluster.listen-address='), 'one Alertmanager: clustering off');
    assert.deepEqual(alertmanager.healthcheck!.test, ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9093/-/healthy']);
    assert.equal(alertmanager.restart, 'unless-stopped');
    assert.equal(dependencies(development.services.prometheus).alertmanager, 'service_healthy');
    // prometheus.yml sends to this service, on the port it listens on (its default, 9093).
    const prometheusConfig = parse(readFileSync(join(ROOT, 'prometheus.yml'), 'utf8'));
    assert.deepEqual(alertmanagerTargets(prometheusConfig), ['http://alertmanager:9093']);
    assert.ok(!command.some((a) => a.startsWith('--web.listen-address=')), 'listens on 9093');
    // It mails through the compose SMTP sink, where the notification service sends too.
    assert.deepEqual(smarthosts(alertmanagerConfig()).map((host) => `smtp://${host}`), [development.services['notification-service'].environment!.SMTP_URL]);
  });

  it('process-exporter: in the postgres container\'s process namespace, with k8s/base/monitoring/process-exporter.yml', () => {
    const exporter = development.services['process-exporter'];
    assert.equal(exporter.pid, 'service:postgres');
    assert.deepEqual(exporter.command, ['--config.path', '/config/process-exporter.yml']);
    assert.deepEqual(bindMounts(exporter).map((m) => [relative(ROOT, m.source), m.target]), [['k8s/base/monitoring/process-exporter.yml', '/config/process-exporter.yml']]);
  });

  it('grafana: admin password from the environment, provisioning and dashboards from k8s/base/monitoring/grafana', () => {
    const grafana = development.services.grafana;
    assert.equal(grafana.environment!.GF_SECURITY_ADMIN_PASSWORD, 'admin');
    assert.equal(production.services.grafana.environment!.GF_SECURITY_ADMIN_PASSWORD, productionEnv.GRAFANA_ADMIN_PASSWORD);
    const mounted = new Map(bindMounts(grafana).map((m) => [m.target, relative(ROOT, m.source)]));
    assert.equal(mounted.get('/etc/grafana/provisioning'), 'k8s/base/monitoring/grafana/provisioning');
    assert.equal(mounted.get('/var/lib/grafana/dashboards'), 'k8s/base/monitoring/grafana/dashboards');
    for (const sub of ['datasources', 'dashboards']) assert.ok(statSync(join(ROOT, 'k8s/base/monitoring/grafana/provisioning', sub)).isDirectory(), sub);
    // The dashboards provider reads the folder mounted above; the data source is the prometheus service.
    const provisioning = readdirSync(join(ROOT, 'k8s/base/monitoring/grafana/provisioning/dashboards')).map((f) => readFileSync(join(ROOT, 'k8s/base/monitoring/grafana/provisioning/dashboards', f), 'utf8')).join('\n');
    assert.match(provisioning, /path:\s*\/var\/lib\/grafana\/dashboards\b/);
    const datasources = readdirSync(join(ROOT, 'k8s/base/monitoring/grafana/provisioning/datasources')).map((f) => readFileSync(join(ROOT, 'k8s/base/monitoring/grafana/provisioning/datasources', f), 'utf8')).join('\n');
    assert.match(datasources, /url:\s*http:\/\/prometheus:9090\b/);
  });

  it('named volumes keep the database, Prometheus, Alertmanager and Grafana data; one network joins everything', () => {
    assert.deepEqual(Object.keys(development.volumes ?? {}).sort(), ['alertmanager-data', 'grafana-data', 'postgres-data', 'prometheus-data']);
    assert.deepEqual(Object.keys(development.networks ?? {}), ['etsr']);
    for (const [name, service] of Object.entries(development.services)) assert.deepEqual(Object.keys(service.networks ?? {}), ['etsr'], name);
  });
});
