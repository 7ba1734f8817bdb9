import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { BaseConfig, ConfigError, loadConfig } from '@etsr/platform';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ROOT, startStack } from '../../src/stack';
import { serviceSettings } from '../../src/deploy/service-settings';
import { ingressPaths, routeOf, samplePath } from '../../src/deploy/k8s-ingress';
import {
  Container,
  K8S_BASE_DIR,
  K8S_PLAIN_DIR,
  Manifest,
  configFileArg,
  containerEnvironment,
  generated,
  mountedFile,
  named,
  ofKind,
  parseManifests,
  renderKustomization,
  secretData,
  selects,
  workloads,
} from '../../src/deploy/k8s-manifests';
import { Edge, alertingEdges, allowedEgress, allowedIngress, edgeOfUrl, ingressEdges, ipBlockPeer, leavesNamespace, namespacePeer, portOf, scrapeEdges } from '../../src/deploy/k8s-network';
import { ALERTMANAGER_CONFIG, alertmanagerTargets } from '../../src/deploy/alertmanager';
import { discoveredPods, settledReplicas } from '../../src/deploy/k8s-pod-discovery';
import { schemaProblems } from '../../src/deploy/k8s-schema';
import { operands, readmeCommands } from '../../src/deploy/readme-commands';
import { startPrometheus } from '../../src/deploy/prometheus';
import { RegisteredService, registeredServices } from '../../src/deploy/registry';

const NAMESPACE = 'etsr';
/** The ingress controller's pods, as the policies name them (Minikube's ingress addon). */
const INGRESS_CONTROLLER = namespacePeer('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' });
/** The cluster DNS every pod resolves names with. */
const KUBE_DNS = namespacePeer('kube-system', { 'k8s-app': 'kube-dns' });
/** Anywhere but the private ranges the cluster lives in: where a real SMTP relay is. */
const OUTSIDE = ipBlockPeer('0.0.0.0/0', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
/** Any address: the Kubernetes API server's differs by cluster. */
const ANYWHERE = ipBlockPeer('0.0.0.0/0');
const SECRETS_SCRIPT = join(ROOT, 'scripts', 'k8s-secrets.mjs');
/** Set in a service container although the service does not read it: the password DATABASE_URL is built from. */
const INGREDIENTS = new Set(['DB_PASSWORD']);

let SERVICES: RegisteredService[];
const deploymentName = (service: string) => `${service}-service`;

/** The container of a service's Deployment (the one named like it). */
function serviceContainer(manifests: Manifest[], service: string): Container {
  const deployment = named(manifests, 'Deployment', deploymentName(service));
  const container = deployment.spec.template.spec.containers.find((c: Container) => c.name === deploymentName(service));
  assert.ok(container, `Deployment ${deploymentName(service)} has no container named ${deploymentName(service)}`);
  return container;
}

const allContainers = (workload: Manifest): Container[] => [...(workload.spec.template.spec.initContainers ?? []), ...workload.spec.template.spec.containers];

before(async () => {
  SERVICES = await registeredServices();
});

describe('k8s/: kubectl kustomize renders valid Kubernetes objects', () => {
  let manifests: Manifest[];
  before(async () => {
    manifests = await renderKustomization();
  });

  it('renders the platform: namespace, database, six services, mail sink, ingress, policies, monitoring with alerting; all in namespace etsr', () => {
    const names = (kind: string) => ofKind(manifests, kind).map((m) => m.metadata.name).sort();
    const services = SERVICES.map((s) => deploymentName(s.name));
    assert.deepEqual(names('Namespace'), [NAMESPACE]);
    // The API server itself then refuses any pod that breaks the checks below.
    assert.equal(named(manifests, 'Namespace', NAMESPACE).metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.deepEqual(names('Deployment'), [...services, 'alertmanager', 'grafana', 'mailpit', 'prometheus'].sort());
    assert.deepEqual(names('StatefulSet'), ['postgres']);
    assert.deepEqual(names('Service'), [...services, 'alertmanager', 'grafana', 'mailpit', 'postgres', 'prometheus'].sort());
    assert.deepEqual(names('HorizontalPodAutoscaler'), ['order-service', 'seating-service']);
    assert.deepEqual(names('PodDisruptionBudget'), [...services].sort());
    assert.equal(ofKind(manifests, 'Ingress').length, 1);
    for (const m of manifests) if (m.kind !== 'Namespace') assert.equal(m.metadata.namespace, NAMESPACE, `${m.kind} ${m.metadata.name}`);
  });

  it('every object passes the Kubernetes API schema, unknown fields included', async () => {
    const problems: string[] = [];
    for (const m of manifests) for (const p of await schemaProblems(m)) problems.push(`${m.kind} ${m.metadata.name}: ${p}`);
    assert.deepEqual(problems, []);
  });

  it('the schema check refuses a broken manifest: a wrong type, a misplaced field, an unknown kind', async () => {
    const deployment = structuredClone(named(manifests, 'Deployment', 'payment-service'));
    deployment.spec.replicas = 'two';
    deployment.spec.template.spec.containers[0].readinessProbe.httpGet.paht = '/health';
    deployment.spec.template.spec.containers[0].memoryLimit = '256Mi';
    const problems = await schemaProblems(deployment);
    assert.ok(problems.some((p) => /replicas must be integer/.test(p)), problems.join('\n'));
    assert.ok(problems.includes('spec.template.spec.containers[0].readinessProbe.httpGet.paht: unknown field'), problems.join('\n'));
    assert.ok(problems.includes('spec.template.spec.containers[0].memoryLimit: unknown field'), problems.join('\n'));
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.deepEqual(await schemaProblems({ ...deployment, kind: 'Deploymnet' }), ['no schema for apps/v1 Deploymnet']);
  });

  it('every pod runs non-root with no privilege escalation, no capabilities, seccomp and a read-only root filesystem, pinned images, probes and resources', () => {
    for (const w of workloads(manifests)) {
      const where = `${w.kind} ${w.metadata.name}`;
      const pod = w.spec.template.spec;
      assert.equal(pod.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
      assert.ok(pod.securityContext?.runAsUser > 0, `${where}: runAsUser`);
      assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${where}: seccomp`);
      assert.ok(selects(w.spec.selector, w.spec.template.metadata.labels), `${where}: selector does not match the pod labels`);
      for (const c of allContainers(w)) {
        const at = `${where} container ${c.name}`;
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${at}: allowPrivilegeEscalation`);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${at}: readOnlyRootFilesystem`);
        assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], `${at}: capabilities`);
        assert.match(c.image, /^[a-z0-9./-]+:[0-9v][\w.-]*$/, `${at}: image ${c.image} is not pinned to a version`);
        assert.equal(c.imagePullPolicy, 'IfNotPresent', `${at}: imagePullPolicy`);
        assert.ok(c.readinessProbe && c.livenessProbe, `${at}: readiness and liveness probes`);
        for (const kind of ['requests', 'limits']) {
          assert.ok(c.resources?.[kind]?.cpu && c.resources?.[kind]?.memory, `${at}: resources.${kind} cpu and memory`);
        }
        for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe].filter(Boolean)) {
          const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
          if (port !== undefined) assert.ok(c.ports.some((p: { name: string; containerPort: number }) => p.name === port || p.containerPort === port), `${at}: probe port ${port}`);
        }
      }
    }
  });

  it('each service: one name everywhere, its image, documented port, health and metrics paths, graceful stop', () => {
    for (const s of SERVICES) {
      const name = deploymentName(s.name);
      const deployment = named(manifests, 'Deployment', name);
      const pod = deployment.spec.template;
      const c = serviceContainer(manifests, s.name);
      assert.equal(pod.metadata.labels.app, name);
      assert.deepEqual(deployment.spec.selector.matchLabels, { app: name });
      assert.equal(c.image, `etsr/${name}:0.1.0`);
      assert.equal(pod.spec.securityContext.runAsUser, 1000, `${name}: node's uid`);
      assert.deepEqual(c.ports, [{ name: 'http', containerPort: s.port }]);
      assert.equal(c.readinessProbe.httpGet.path, s.health, `${name}: readiness on its health path`);
      assert.ok(c.startupProbe, `${name}: a startupProbe (migrations run at start)`);
      assert.equal(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold >= 120, true, `${name}: two minutes to start at least`);
      assert.deepEqual(pod.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(s.port), 'prometheus.io/path': s.metrics });
      // preStop pause, then the service's own 10 s graceful stop, within the grace period.
      const pause = Number(c.lifecycle.preStop.exec.command[1]);
      assert.deepEqual(c.lifecycle.preStop.exec.command, ['sleep', String(pause)]);
      assert.ok(pause >= 3 && pod.spec.terminationGracePeriodSeconds >= pause + 10 + 5, `${name}: grace period`);
      const service = named(manifests, 'Service', name);
      assert.deepEqual(service.spec.selector, { app: name });
      assert.deepEqual(service.spec.ports, [{ name: 'http', port: s.port, targetPort: 'http' }]);
      assert.equal(service.spec.type, 'ClusterIP');
    }
  });

  it('every Service selects pods and targets one of their container ports', () => {
    for (const service of ofKind(manifests, 'Service')) {
      const pods = workloads(manifests).filter((w) => selects({ matchLabels: service.spec.selector }, w.spec.template.metadata.labels));
      assert.equal(pods.length, 1, `Service ${service.metadata.name} selects ${pods.length} workloads`);
      const ports = allContainers(pods[0]).flatMap((c) => c.ports ?? []);
      for (const p of service.spec.ports) {
        assert.ok(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === (p.targetPort ?? p.port)), `Service ${service.metadata.name} port ${p.port}`);
      }
    }
    const postgres = named(manifests, 'Service', 'postgres');
    assert.equal(postgres.spec.clusterIP, 'None', 'the StatefulSet governing Service is headless');
    assert.equal(named(manifests, 'StatefulSet', 'postgres').spec.serviceName, 'postgres');
  });

  it('every reference to a Secret, ConfigMap or key resolves to a rendered object (generated names included)', () => {
    const has = (kind: string, name: string, key?: string) => {
      const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
      return Boolean(found && (key === undefined || key in (found.data ?? {})));
    };
    for (const w of workloads(manifests)) {
      for (const c of allContainers(w)) {
        for (const e of c.env ?? []) {
          const s = e.valueFrom?.secretKeyRef;
          const cm = e.valueFrom?.configMapKeyRef;
          if (s) assert.ok(has('Secret', s.name, s.key), `${w.metadata.name}/${c.name} ${e.name}: Secret ${s.name} key ${s.key}`);
          if (cm) assert.ok(has('ConfigMap', cm.name, cm.key), `${w.metadata.name}/${c.name} ${e.name}: ConfigMap ${cm.name} key ${cm.key}`);
        }
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef) assert.ok(has('ConfigMap', from.configMapRef.name), `${w.metadata.name}/${c.name}: envFrom ConfigMap ${from.configMapRef.name}`);
          if (from.secretRef) assert.ok(has('Secret', from.secretRef.name), `${w.metadata.name}/${c.name}: envFrom Secret ${from.secretRef.name}`);
        }
        const volumes = new Set(w.spec.template.spec.volumes?.map((v: { name: string }) => v.name));
        const claims = new Set(w.spec.volumeClaimTemplates?.map((v: { metadata: { name: string } }) => v.metadata.name));
        for (const mount of c.volumeMounts ?? []) assert.ok(volumes.has(mount.name) || claims.has(mount.name), `${w.metadata.name}/${c.name}: volume ${mount.name}`);
      }
      for (const v of w.spec.template.spec.volumes ?? []) {
        if (v.configMap) assert.ok(has('ConfigMap', v.configMap.name), `${w.metadata.name}: volume ${v.name} ConfigMap ${v.configMap.name}`);
        if (v.secret) assert.ok(has('Secret', v.secret.secretName), `${w.metadata.name}: volume ${v.name} Secret ${v.secret.secretName}`);
      }
    }
  });

  it("each service's container sets every variable its config requires, every secret and every URL, and nothing it does not read", () => {
    for (const s of SERVICES) {
      const c = serviceContainer(manifests, s.name);
      const env = containerEnvironment(c, manifests);
      const settings = serviceSettings(s.name);
      const reads = new Set(settings.map((x) => x.name));
      for (const setting of settings.filter((x) => x.required || x.secret || x.url)) {
        assert.ok(env[setting.name], `${s.name}: ${setting.name} is not set`);
      }
      const unread = Object.keys(env).filter((name) => !reads.has(name) && !INGREDIENTS.has(name));
      assert.deepEqual(unread, [], `${s.name} sets variables it does not read`);
      assert.equal(env.NODE_ENV, 'production');
      // One hop, the ingress controller (the only way in, by the NetworkPolicies); never true, which
      // production refuses and which would let any client choose the address the login limit counts.
      assert.equal(env.TRUST_PROXY, '1', 'X-Forwarded-For believed from the ingress controller only');
      assert.equal(env.PORT, String(s.port));
      // Secrets only by reference to the Secret: directly, or inside a $(VAR) built from one.
      const fromSecret = new Set(c.env.filter((e: { valueFrom?: { secretKeyRef?: unknown } }) => e.valueFrom?.secretKeyRef).map((e: { name: string }) => e.name));
      for (const setting of settings.filter((x) => x.secret)) {
        const entry = c.env.find((e: { name: string }) => e.name === setting.name);
        const refs = [...String(entry?.value ?? '').matchAll(/\$\((\w+)\)/g)].map((m) => m[1]);
        assert.ok(fromSecret.has(setting.name) || (refs.length > 0 && refs.every((r) => fromSecret.has(r))), `${s.name}: ${setting.name} does not come from the Secret`);
      }
      const url = new URL(env.DATABASE_URL);
      assert.equal(`${url.protocol}//${url.username}@${url.host}${url.pathname}`, `postgres://${s.name}_service@postgres:5432/${s.database}`);
    }
  });

  it('each pod sees only the secrets it uses, and no ConfigMap holds a secret', () => {
    const secretKeysOf = (w: Manifest) =>
      allContainers(w)
        .flatMap((c) => c.env ?? [])
        .map((e: { valueFrom?: { secretKeyRef?: { key: string } } }) => e.valueFrom?.secretKeyRef?.key)
        .filter(Boolean)
        .sort();
    const expected: Record<string, string[]> = {
      'user-service': ['ADMIN_PASSWORD', 'JWT_SECRET', 'SERVICE_SECRET', 'USER_DB_PASSWORD'],
      'seating-service': ['JWT_SECRET', 'SEATING_DB_PASSWORD', 'SERVICE_SECRET'],
      'catalog-service': ['CATALOG_DB_PASSWORD', 'JWT_SECRET', 'SERVICE_SECRET'],
      'payment-service': ['CALLBACK_SECRET', 'JWT_SECRET', 'PAYMENT_DB_PASSWORD', 'SERVICE_SECRET'],
      'order-service': ['CALLBACK_SECRET', 'JWT_SECRET', 'ORDER_DB_PASSWORD', 'SERVICE_SECRET', 'TICKET_SIGNING_KEY'],
      'notification-service': ['JWT_SECRET', 'NOTIFICATION_DB_PASSWORD', 'SERVICE_SECRET', 'SMTP_PASSWORD'],
      postgres: ['CATALOG_DB_PASSWORD', 'NOTIFICATION_DB_PASSWORD', 'ORDER_DB_PASSWORD', 'PAYMENT_DB_PASSWORD', 'POSTGRES_PASSWORD', 'SEATING_DB_PASSWORD', 'USER_DB_PASSWORD'],
      grafana: ['GRAFANA_ADMIN_PASSWORD'],
      mailpit: [],
      prometheus: [],
      alertmanager: [],
    };
    assert.deepEqual(Object.fromEntries(workloads(manifests).map((w) => [w.metadata.name, secretKeysOf(w)])), expected);
    for (const w of workloads(manifests)) {
      for (const c of allContainers(w)) assert.ok(!(c.envFrom ?? []).some((f: { secretRef?: unknown }) => f.secretRef), `${w.metadata.name}: a whole Secret as environment`);
    }
    const secrets = ofKind(manifests, 'Secret').flatMap((s) => Object.values(secretData(s)));
    assert.ok(secrets.length >= 14);
    for (const cm of ofKind(manifests, 'ConfigMap')) {
      for (const [key, value] of Object.entries(cm.data ?? {})) {
        assert.doesNotMatch(key, /SECRET|PASSWORD|SIGNING_KEY|PRIVATE_KEY|API_KEY/, `ConfigMap ${cm.metadata.name} key ${key}`);
        for (const secret of secrets) assert.ok(!value.includes(secret), `ConfigMap ${cm.metadata.name} ${key} holds a secret value`);
      }
    }
  });

  it('seating and order scale with CPU (2 to 10 pods, owned by the autoscaler); every service keeps a pod through disruptions', () => {
    for (const hpa of ofKind(manifests, 'HorizontalPodAutoscaler')) {
      const target = named(manifests, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      assert.equal(hpa.spec.scaleTargetRef.apiVersion, target.apiVersion);
      assert.equal(target.spec.replicas, undefined, `${target.metadata.name}: a replicas field would undo the autoscaler on every apply`);
      assert.equal(hpa.spec.minReplicas, 2);
      assert.equal(hpa.spec.maxReplicas, 10);
      assert.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
      assert.ok(serviceContainer(manifests, hpa.metadata.name.replace(/-service$/, '')).resources.requests.cpu, 'utilisation needs a CPU request');
    }
    const pdbs = ofKind(manifests, 'PodDisruptionBudget');
    for (const w of workloads(manifests)) {
      const covering = pdbs.filter((p) => selects(p.spec.selector, w.spec.template.metadata.labels));
      if (settledReplicas(w, manifests) >= 2) {
        assert.equal(covering.length, 1, `${w.metadata.name} runs several pods: one PodDisruptionBudget`);
        assert.equal(covering[0].spec.minAvailable, 1);
      } else {
        assert.equal(covering.length, 0, `${w.metadata.name} runs one pod: a budget would block node drains`);
      }
    }
    for (const s of SERVICES) assert.equal(settledReplicas(named(manifests, 'Deployment', deploymentName(s.name)), manifests), 2, s.name);
  });

  /**
   * The connections the configuration implies: every URL a container is given that names a Service
   * of ours, Prometheus scrapes, alerting (from the config files), the ingress controller and
   * Grafana's data source.
   */
  function impliedEdges(): Set<Edge> {
    const implied = new Set<Edge>();
    const add = (e: Edge | undefined) => e && implied.add(e);
    for (const w of workloads(manifests)) {
      const app = w.spec.template.metadata.labels.app;
      for (const c of allContainers(w)) {
        for (const value of Object.values(containerEnvironment(c, manifests))) add(edgeOfUrl(manifests, app, value));
      }
    }
    for (const e of scrapeEdges(manifests)) implied.add(e);
    // Prometheus to its alertmanagers target, Alertmanager to its smarthost: from their config files.
    for (const e of alertingEdges(manifests)) implied.add(e);
    for (const e of ingressEdges(manifests, INGRESS_CONTROLLER)) implied.add(e);
    const datasources = parseYaml(Object.values(generated(manifests, 'ConfigMap', 'grafana-datasources')!.data!)[0]);
    for (const ds of datasources.datasources) add(edgeOfUrl(manifests, 'grafana', ds.url));
    return implied;
  }

  /** What `implied` has that `allowed` lacks, and what `allowed` has that nothing uses. */
  const difference = (implied: Iterable<Edge>, allowed: Iterable<Edge>) => {
    const [wanted, given] = [new Set(implied), new Set(allowed)];
    return { notAllowed: [...wanted].filter((e) => !given.has(e)).sort(), unused: [...given].filter((e) => !wanted.has(e)).sort() };
  };

  it('ingress NetworkPolicies admit exactly the calls the configuration makes, the ingress controller, scrapes, alerting and Grafana', () => {
    const implied = impliedEdges();
    // The service-to-service part, spelled out: what the clients in services/*/src/clients call, and
    // every service but user following the user service's feed of revoked tokens (USER_URL).
    const calls = [...implied].filter((e) => /^\w+-service -> \w+-service/.test(e)).sort();
    assert.deepEqual(calls, [
      'catalog-service -> seating-service:8082',
      'catalog-service -> user-service:8081',
      'notification-service -> user-service:8081',
      'order-service -> catalog-service:8000',
      'order-service -> notification-service:4005',
      'order-service -> payment-service:4004',
      'order-service -> seating-service:8082',
      'order-service -> user-service:8081',
      'payment-service -> order-service:4003',
      'payment-service -> user-service:8081',
      'seating-service -> catalog-service:8000',
      'seating-service -> user-service:8081',
      'user-service -> notification-service:4005',
    ]);
    assert.ok(implied.has('notification-service -> mailpit:1025'));
    for (const s of SERVICES) assert.ok(implied.has(`${deploymentName(s.name)} -> postgres:5432`), `${s.name} -> postgres`);
    assert.ok(implied.has('grafana -> prometheus:9090'));
    assert.ok(implied.has('prometheus -> postgres:9256'));
    assert.ok(implied.has('prometheus -> alertmanager:9093'));
    assert.ok(implied.has('alertmanager -> mailpit:1025'));

    assert.deepEqual(difference(implied, allowedIngress(manifests)), { notAllowed: [], unused: [] });
    const denyAll = named(manifests, 'NetworkPolicy', 'default-deny-ingress');
    assert.deepEqual(denyAll.spec, { podSelector: {}, policyTypes: ['Ingress'] });
  });

  it('egress NetworkPolicies let each pod open exactly the calls the configuration makes, DNS, and out of the cluster only SMTP (notification, Alertmanager) and the API server (Prometheus)', () => {
    const denyAll = named(manifests, 'NetworkPolicy', 'default-deny-egress');
    assert.deepEqual(denyAll.spec, { podSelector: {}, policyTypes: ['Egress'] });
    const apps = workloads(manifests).map((w) => w.spec.template.metadata.labels.app);
    // Our pods' own calls (the ingress controller's are its namespace's business).
    const calls = [...impliedEdges()].filter((e) => apps.includes(e.split(' -> ')[0]));
    const egress = allowedEgress(manifests);
    const ingress = allowedIngress(manifests);
    // Each call passes both ends: the caller's egress rules and the callee's ingress rules.
    assert.deepEqual(
      { ...difference(calls, [...egress].filter((e) => !leavesNamespace(e))), notAdmitted: calls.filter((e) => !ingress.has(e)).sort() },
      { notAllowed: [], unused: [], notAdmitted: [] },
    );

    const outside = (app: string, peer: string, ...ports: (number | string)[]) => ports.map((p) => `${app} -> ${peer}:${p}`);
    const expected = [
      ...apps.flatMap((app) => outside(app, KUBE_DNS, '53/UDP', 53)),
      ...['notification-service', 'alertmanager'].flatMap((app) => outside(app, OUTSIDE, 25, 465, 587)),
      ...outside('prometheus', ANYWHERE, 443, 6443, 8443),
    ];
    assert.deepEqual(difference(expected, [...egress].filter(leavesNamespace)), { notAllowed: [], unused: [] });
    // An address block also covers pod addresses: none of its ports may be one our pods listen on.
    const listening = new Set(workloads(manifests).flatMap((w) => allContainers(w).flatMap((c) => (c.ports ?? []).map((p: { containerPort: number }) => String(p.containerPort)))));
    for (const e of [...egress].filter((x) => x.includes(' -> ipBlock('))) assert.ok(!listening.has(portOf(e)), `${e} reaches a port of our pods`);
  });

  it('PostgreSQL: the init script is the repository one; its logins and password variables are the ones the pods use; the exporter shares its processes', () => {
    const copy = readFileSync(join(K8S_BASE_DIR, 'postgres', 'init-db.sql'));
    assert.ok(copy.equals(readFileSync(join(ROOT, 'init-db.sql'))), 'k8s/base/postgres/init-db.sql differs from init-db.sql: cp init-db.sql k8s/base/postgres/');
    const statefulSet = named(manifests, 'StatefulSet', 'postgres');
    const pod = statefulSet.spec.template.spec;
    const postgres = pod.containers.find((c: Container) => c.name === 'postgres');
    const script = generated(manifests, 'ConfigMap', 'postgres-init')!.data!['init-db.sql'];
    assert.equal(script, copy.toString('utf8'));
    const env = containerEnvironment(postgres, manifests);
    const needed = [...script.matchAll(/\\getenv\s+\w+\s+(\w+)/g)].map((m) => m[1]);
    assert.equal(needed.length, 6);
    for (const variable of needed) assert.ok(env[variable], `postgres container: ${variable} for init-db.sql`);
    for (const s of SERVICES) {
      assert.ok(script.includes(`('${s.name}_service', '${s.database}', '${s.name.toUpperCase()}_DB_PASSWORD'`), `init-db.sql: login of ${s.name}`);
      const secretKey = serviceContainer(manifests, s.name).env.find((e: { name: string }) => e.name === 'DB_PASSWORD').valueFrom.secretKeyRef.key;
      const postgresKey = postgres.env.find((e: { name: string }) => e.name === `${s.name.toUpperCase()}_DB_PASSWORD`).valueFrom.secretKeyRef.key;
      assert.equal(secretKey, postgresKey, `${s.name} logs in with the password its login was created with`);
    }
    const initMount = postgres.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/docker-entrypoint-initdb.d');
    assert.equal(pod.volumes.find((v: { name: string }) => v.name === initMount.name).configMap.name, generated(manifests, 'ConfigMap', 'postgres-init')!.metadata.name);
    assert.match(postgres.image, /^postgres:16\.\d+$/, 'postgres 16, Debian-based (uid 999), pinned');
    assert.equal(pod.securityContext.runAsUser, 999);
    assert.equal(pod.securityContext.fsGroup, 999);
    assert.match(postgres.readinessProbe.exec.command.join(' '), /^pg_isready /);
    assert.equal(statefulSet.spec.volumeClaimTemplates[0].metadata.name, postgres.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/var/lib/postgresql/data').name);
    assert.equal(pod.shareProcessNamespace, true);
    const exporter = pod.containers.find((c: Container) => c.name === 'process-exporter');
    assert.match(exporter.image, /^ncabatoff\/process-exporter:\d+\.\d+\.\d+$/);
    assert.deepEqual(exporter.ports, [{ name: 'process-metrics', containerPort: 9256 }]);
    const configPath = exporter.args[exporter.args.indexOf('--config.path') + 1];
    const configMount = exporter.volumeMounts.find((m: { mountPath: string }) => configPath.startsWith(`${m.mountPath}/`));
    const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === pod.volumes.find((v: { name: string }) => v.name === configMount.name).configMap.name)!;
    assert.equal(configMap.data![configPath.slice(configMount.mountPath.length + 1)], readFileSync(join(K8S_BASE_DIR, 'monitoring', 'process-exporter.yml'), 'utf8'));
    // Connections: every replica's pool at the autoscalers' maximum fits the server.
    const pools = SERVICES.map((s) => {
      const deployment = named(manifests, 'Deployment', deploymentName(s.name));
      const hpa = ofKind(manifests, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === deployment.metadata.name);
      return (hpa?.spec.maxReplicas ?? deployment.spec.replicas) * Number(containerEnvironment(serviceContainer(manifests, s.name), manifests).DB_POOL_SIZE);
    });
    const maxConnections = Number(postgres.args.map((a: string) => /^max_connections=(\d+)$/.exec(a)?.[1]).find(Boolean));
    assert.ok(pools.reduce((a, b) => a + b) <= maxConnections - 10, `${pools.join(' + ')} connections against max_connections=${maxConnections}`);
  });

  it('Grafana gets its data source, dashboard provider and every dashboard where the provisioning file looks', () => {
    const grafana = named(manifests, 'Deployment', 'grafana');
    const pod = grafana.spec.template.spec;
    const container = pod.containers[0];
    const mountOf = (generatorName: string) => {
      const cm = generated(manifests, 'ConfigMap', generatorName)!;
      const volume = pod.volumes.find((v: { configMap?: { name: string } }) => v.configMap?.name === cm.metadata.name);
      assert.ok(volume, `Grafana mounts ${generatorName}`);
      return { path: container.volumeMounts.find((m: { name: string }) => m.name === volume.name).mountPath, data: cm.data! };
    };
    assert.equal(mountOf('grafana-datasources').path, '/etc/grafana/provisioning/datasources');
    const providers = mountOf('grafana-dashboard-providers');
    assert.equal(providers.path, '/etc/grafana/provisioning/dashboards');
    const providerPath = parseYaml(Object.values(providers.data)[0]).providers[0].options.path;
    const dashboards = mountOf('grafana-dashboards');
    assert.equal(dashboards.path, providerPath);
    const files = readdirSync(join(K8S_BASE_DIR, 'monitoring', 'grafana', 'dashboards')).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 3);
    assert.deepEqual(Object.keys(dashboards.data).sort(), files.sort(), 'every dashboard of k8s/base/monitoring/grafana/dashboards');
    const password = container.env.find((e: { name: string }) => e.name === 'GF_SECURITY_ADMIN_PASSWORD');
    assert.equal(password.valueFrom.secretKeyRef.key, 'GRAFANA_ADMIN_PASSWORD');
  });

  it('Alertmanager: alertmanager.yml as it is in the repository, data on an emptyDir, one unclustered replica, the Service Prometheus sends to', () => {
    const deployment = named(manifests, 'Deployment', 'alertmanager');
    const pod = deployment.spec.template.spec;
    const container = pod.containers.find((c: Container) => c.name === 'alertmanager');
    assert.ok(container, 'a container named alertmanager');
    assert.match(container.image, /^prom\/alertmanager:v\d+\.\d+\.\d+$/);
    const configFile = configFileArg(container);
    assert.ok(configFile, '--config.file');
    assert.equal(mountedFile(manifests, deployment, container, configFile), readFileSync(ALERTMANAGER_CONFIG, 'utf8'));
    assert.ok(generated(manifests, 'ConfigMap', 'alertmanager-config'), 'from the configMapGenerator (a changed file rolls the pod)');
    // Silences and the notification log: a writable volume, the root filesystem being read-only.
    const storage = container.args.find((a: string) => a.startsWith('--storage.path=')).split('=')[1];
    const dataMount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === storage);
    assert.ok(dataMount && !dataMount.readOnly, `${storage} is a writable mount`);
    assert.ok(pod.volumes.find((v: { name: string }) => v.name === dataMount.name).emptyDir, `${storage} is an emptyDir`);
    // One replica; two that do not gossip would each send every e-mail, so never two at once.
    assert.ok(container.args.includes('--cluster.listen-address='), 'clustering off');
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(deployment.spec.strategy?.type, 'Recreate');
    assert.equal(container.livenessProbe.httpGet.path, '/-/healthy');
    assert.equal(container.readinessProbe.httpGet.path, '/-/ready');
    // What Prometheus sends to is this Service's port.
    const prometheus = named(manifests, 'Deployment', 'prometheus');
    const prometheusContainer = prometheus.spec.template.spec.containers[0];
    const targets = alertmanagerTargets(parseYaml(mountedFile(manifests, prometheus, prometheusContainer, configFileArg(prometheusContainer)!)));
    assert.deepEqual(targets, ['http://alertmanager:9093']);
    assert.deepEqual(named(manifests, 'Service', 'alertmanager').spec.ports, [{ name: 'web', port: 9093, targetPort: 'web' }]);
    assert.deepEqual(container.ports, [{ name: 'web', containerPort: 9093 }]);
  });

  it('Prometheus (the real one, fed the pods as Kubernetes discovery would) scrapes every replica with job = app label, the database exporter, and loads the alert rules', async () => {
    const deployment = named(manifests, 'Deployment', 'prometheus');
    const container = deployment.spec.template.spec.containers[0];
    const mounted = (file: string) => {
      const mount = container.volumeMounts.find((m: { mountPath: string }) => file.startsWith(`${m.mountPath}/`));
      assert.ok(mount, `${file} is on no volume`);
      const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
      const cm = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === volume.configMap.name)!;
      const text = cm.data![file.slice(mount.mountPath.length + 1)];
      assert.ok(text, `${file} is not in ConfigMap ${cm.metadata.name}`);
      return text;
    };
    const configFile = container.args.find((a: string) => a.startsWith('--config.file=')).split('=')[1];
    const config = parseYaml(mounted(configFile));
    const dir = mkdtempSync(join(tmpdir(), 'etsr-k8s-prometheus-'));
    try {
      // Rule files from the mounted ConfigMap, discovery from the rendered pods.
      config.rule_files = config.rule_files.map((file: string, i: number) => {
        const local = join(dir, `rules-${i}.yml`);
        writeFileSync(local, mounted(file));
        return local;
      });
      const podsFile = join(dir, 'pods.json');
      writeFileSync(podsFile, JSON.stringify(discoveredPods(manifests, NAMESPACE)));
      for (const job of config.scrape_configs) {
        if (!job.kubernetes_sd_configs) continue;
        assert.deepEqual(job.kubernetes_sd_configs, [{ role: 'pod', namespaces: { names: [NAMESPACE] } }], job.job_name);
        delete job.kubernetes_sd_configs;
        job.file_sd_configs = [{ files: [podsFile] }];
      }
      const prometheus = await startPrometheus(stringifyYaml(config));
      try {
        const expected = new Map<string, string[]>();
        for (const s of SERVICES) {
          const name = deploymentName(s.name);
          const replicas = settledReplicas(named(manifests, 'Deployment', name), manifests);
          expected.set(name, Array.from({ length: replicas }, (_, r) => `${name}-${r} :${s.port}${s.metrics}`));
        }
        expected.set('postgres-processes', ['postgres-0 :9256/metrics']);
        expected.set('prometheus', ['localhost:9090 :9090/metrics']);
        const total = [...expected.values()].flat().length;
        type Target = { labels: Record<string, string>; scrapeUrl: string };
        // Prometheus hands discovered targets to its scrapers on a 5-second tick.
        let targets: Target[] = [];
        for (let i = 0; i < 150 && targets.length < total; i++) {
          if (i > 0) await new Promise((r) => setTimeout(r, 100));
          targets = (await prometheus.get<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets;
        }
        const byJob = new Map<string, string[]>();
        for (const t of targets) byJob.set(t.labels.job, [...(byJob.get(t.labels.job) ?? []), `${t.labels.instance} ${t.scrapeUrl.replace(/^http:\/\/[^/:]+/, '')}`].sort());
        assert.deepEqual(Object.fromEntries([...byJob].sort()), Object.fromEntries([...expected].sort()));
        for (const t of targets.filter((x) => x.labels.job.endsWith('-service'))) assert.equal(t.labels.namespace, NAMESPACE);
        const rules = await prometheus.get<{ groups: { rules: { name: string }[] }[] }>('/api/v1/rules');
        const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.name));
        assert.ok(alerts.includes('PaymentServiceDown') && alerts.includes('ServiceDown'), alerts.join(', '));
      } finally {
        await prometheus.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** scripts/k8s-render.mjs */
type K8sRender = {
  kustomize(baseDir?: string): Promise<string>;
  plainFiles(rendered: string, baseDir?: string): Map<string, string>;
  writtenFiles(dir?: string): Map<string, string>;
};

describe('k8s/*.yaml: the plain manifests of `kubectl apply -f ./k8s` and the per-component steps', () => {
  let render: K8sRender;
  let base: Manifest[];
  /** The plain files in the order `kubectl apply -f ./k8s` reads them (file name order), each parsed on its own. */
  let files: [string, Manifest[]][];
  const objectKey = (m: Manifest) => `${m.kind}/${m.metadata.name}`;
  before(async () => {
    render = (await import(pathToFileURL(join(ROOT, 'scripts', 'k8s-render.mjs')).href)) as K8sRender;
    base = await renderKustomization();
    const yamlFiles = readdirSync(K8S_PLAIN_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
    files = yamlFiles.map((f) => [f, parseManifests(readFileSync(join(K8S_PLAIN_DIR, f), 'utf8'))]);
  });

  it('are what scripts/k8s-render.mjs writes from k8s/base/ now (run it after changing the base); k8s/ holds nothing else kubectl would apply', async () => {
    const wanted = render.plainFiles(await render.kustomize(K8S_BASE_DIR), K8S_BASE_DIR);
    const written = render.writtenFiles(K8S_PLAIN_DIR);
    assert.deepEqual([...written.keys()], [...wanted.keys()], 'node scripts/k8s-render.mjs');
    for (const [name, text] of wanted) assert.equal(written.get(name), text, `k8s/${name} differs from k8s/base/: node scripts/k8s-render.mjs`);
    // kubectl apply -f reads every .yaml, .yml and .json file of the folder: a kustomization.yaml
    // or a hand-written file here would be applied too (or fail the apply).
    const appliable = readdirSync(K8S_PLAIN_DIR).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    assert.deepEqual(appliable, [...wanted.keys()]);
  });

  it('together hold every object of the kustomize base once, unchanged (the same objects as kubectl apply -k k8s/base/)', () => {
    const sorted = (list: Manifest[]) => [...list].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
    const plain = files.flatMap(([, objects]) => objects);
    assert.equal(new Set(plain.map(objectKey)).size, plain.length, 'an object in two files');
    assert.deepEqual(sorted(plain), sorted(base));
  });

  it('each file parses on its own into objects that pass the Kubernetes API schema', async () => {
    for (const [name, objects] of files) {
      assert.ok(objects.length > 0, `k8s/${name} holds no object`);
      for (const m of objects) {
        assert.ok(m.apiVersion && m.kind && m.metadata?.name, `k8s/${name}: an object without apiVersion, kind or name`);
        assert.deepEqual(await schemaProblems(m), [], `k8s/${name}: ${objectKey(m)}`);
      }
    }
  });

  it('apply in a clean order: the namespace first, then the Secret and the ConfigMaps, then what uses them', () => {
    const order = files.flatMap(([name, objects]) => objects.map((m) => ({ file: name, m })));
    assert.equal(order[0].m.kind, 'Namespace', `first applied: ${order[0].file}`);
    assert.equal(order.filter((o) => o.m.kind === 'Namespace').length, 1);
    const settings = order.map((o, i) => (o.m.kind === 'Secret' || o.m.kind === 'ConfigMap' ? i : -1)).filter((i) => i >= 0);
    const users = order.map((o, i) => (o.m.kind !== 'Namespace' && o.m.kind !== 'Secret' && o.m.kind !== 'ConfigMap' ? i : -1)).filter((i) => i >= 0);
    assert.ok(settings.length > 0 && Math.max(...settings) < Math.min(...users), `${order[Math.min(...users)].file} is applied before ${order[Math.max(...settings)].file}`);
    assert.deepEqual(files.slice(0, 3).map(([name]) => name), ['00-namespace.yaml', '01-secrets.yaml', '02-config.yaml']);
  });

  it('step by step: k8s/postgres.yaml, `kubectl wait --for=condition=ready pod -l app=postgres`, then k8s/<name>-service.yaml per service, each needing only 00- to 02- besides itself', () => {
    const file = (name: string) => {
      const found = files.find(([f]) => f === name);
      assert.ok(found, `no k8s/${name}`);
      return found[1];
    };
    const shared = [...file('01-secrets.yaml'), ...file('02-config.yaml')];
    // The pods `-l app=postgres` selects: PostgreSQL's alone, from k8s/postgres.yaml.
    const labelled = files.flatMap(([name, objects]) => workloads(objects).filter((w) => w.spec.template.metadata.labels?.app === 'postgres').map((w) => `${name} ${objectKey(w)}`));
    assert.deepEqual(labelled, ['postgres.yaml StatefulSet/postgres']);
    const components: [string, string][] = [['postgres.yaml', 'StatefulSet'], ...SERVICES.map((s): [string, string] => [`${deploymentName(s.name)}.yaml`, 'Deployment'])];
    for (const [name, kind] of components) {
      const objects = file(name);
      const workload = named(objects, kind, name.replace(/\.yaml$/, ''));
      assert.ok(named(objects, 'Service', workload.metadata.name), `k8s/${name}: its Service`);
      for (const m of objects) assert.equal(m.metadata.namespace, NAMESPACE, `k8s/${name}: ${objectKey(m)}`);
      // Everything the pods read is in the file itself or in 01-secrets/02-config.
      assert.doesNotThrow(() => containerEnvironment(workload.spec.template.spec.containers[0], [...shared, ...objects]), `k8s/${name}`);
      for (const v of workload.spec.template.spec.volumes ?? []) {
        if (v.configMap) assert.ok([...shared, ...objects].some((m) => m.kind === 'ConfigMap' && m.metadata.name === v.configMap.name), `k8s/${name}: volume ${v.name}`);
      }
    }
  });
});

describe('README.md: its kubectl commands name what k8s/ holds', () => {
  it('every file, folder, pod label, Deployment, StatefulSet and Service a kubectl command of README.md names exists', async () => {
    const manifests = await renderKustomization();
    const has = (kind: string, name: string) => manifests.some((m) => m.kind === kind && m.metadata.name === name);
    const podLabels = workloads(manifests).map((w) => w.spec.template.metadata.labels ?? {});
    const commands = readmeCommands('kubectl');
    const problems: string[] = [];
    let checked = 0;
    for (const args of commands) {
      const command = `kubectl ${args.join(' ')}`;
      const fail = (what: string) => problems.push(`${command}: ${what}`);
      for (let i = 0; i < args.length; i++) {
        const [arg, next] = [args[i], args[i + 1] ?? ''];
        if (next.includes('<') || next.includes('$')) continue; // a placeholder
        if (arg === '-f') {
          checked++;
          const path = join(ROOT, next);
          if (!existsSync(path)) fail(`no ${next}`);
          else if (statSync(path).isDirectory() && existsSync(join(path, 'kustomization.yaml'))) fail(`kubectl apply -f ${next} would send its kustomization.yaml`);
        } else if (arg === '-k') {
          checked++;
          if (!existsSync(join(ROOT, next, 'kustomization.yaml'))) fail(`no kustomization in ${next}`);
        } else if (arg === '-l') {
          checked++;
          const [key, value] = next.split('=');
          if (!podLabels.some((labels) => labels[key] === value)) fail(`no pod labelled ${next}`);
        }
      }
      // deployment/x, svc/x…, and `scale deployment x` / `delete deployment x`.
      const resources = operands(args, ['-n', '-f', '-k', '-l', '--replicas', '--timeout', '--min', '--max', '--cpu-percent', '--namespace']);
      for (let i = 0; i < resources.length; i++) {
        const [type, name] = resources[i].includes('/') ? resources[i].split('/') : [resources[i], resources[i + 1]];
        const kind = ({ deployment: 'Deployment', statefulset: 'StatefulSet', service: 'Service', svc: 'Service' } as Record<string, string>)[type];
        if (!kind || !name || /[<$]/.test(name)) continue;
        checked++;
        if (!has(kind, name)) fail(`no ${kind} ${name}`);
        if (args.includes('image') && kind === 'Deployment') {
          const container = resources[i + 1 + (resources[i].includes('/') ? 0 : 1)]?.split('=')[0];
          if (container && !named(manifests, kind, name).spec.template.spec.containers.some((c: Container) => c.name === container)) fail(`no container ${container}`);
        }
      }
    }
    assert.deepEqual(problems, []);
    // The step-by-step commands are in README.md: the test reads them, it does not pass on nothing.
    assert.ok(checked >= 20, `only ${checked} names checked in ${commands.length} kubectl commands`);
    for (const step of ['apply -f k8s/postgres.yaml', 'wait --for=condition=ready pod -l app=postgres --timeout=120s', 'apply -f ./k8s', 'apply -k k8s/base/', ...SERVICES.map((s) => `apply -f k8s/${deploymentName(s.name)}.yaml`)]) {
      assert.ok(commands.some((args) => args.join(' ') === step), `README.md lacks kubectl ${step}`);
    }
  });
});

describe('Ingress: the public API of every running service, and nothing else', () => {
  let manifests: Manifest[];
  let stack: Awaited<ReturnType<typeof startStack>>;
  before(async () => {
    manifests = await renderKustomization();
    stack = await startStack();
  });
  after(() => stack?.stop());

  it("routes every /v1 path of each service's OpenAPI document to that service, and no /internal, /metrics, /actuator, /docs or /health path", async () => {
    const ingress = ofKind(manifests, 'Ingress')[0];
    assert.equal(ingress.spec.ingressClassName, 'nginx');
    const paths = ingressPaths(ingress);
    const used = new Set<string>();
    let publicRoutes = 0;
    for (const s of SERVICES) {
      const res = await fetch(`${stack.urls[s.name]}/docs-json`);
      assert.equal(res.status, 200);
      const document = (await res.json()) as { paths: Record<string, object> };
      const templates = Object.keys(document.paths);
      assert.ok(templates.some((t) => t.startsWith('/v1/')), `${s.name} documents /v1 paths`);
      for (const template of templates) {
        const route = routeOf(paths, samplePath(template));
        if (template.startsWith('/v1/')) {
          publicRoutes++;
          assert.equal(route?.service, deploymentName(s.name), `${template} of ${s.name} is routed to ${route?.service ?? 'nothing'}`);
          used.add(`${route!.pathType} ${route!.path}`);
        } else {
          assert.equal(route, undefined, `${template} of ${s.name} must not be public`);
        }
      }
    }
    assert.ok(publicRoutes >= 40, `${publicRoutes} public routes`);
    for (const p of paths) assert.ok(used.has(`${p.pathType} ${p.path}`), `Ingress path ${p.path} serves no documented route`);
    for (const hidden of ['/internal/v1/availability', '/internal/v1/orders/1', '/metrics', '/actuator/prometheus', '/actuator/health', '/docs', '/docs-json', '/health', '/inbox']) {
      assert.equal(routeOf(paths, hidden), undefined, hidden);
    }
    assert.ok(paths.every((p) => p.path.startsWith('/v1/')));
    // The overlap the API creates: the callback is the order service's, the charge payment's.
    assert.equal(routeOf(paths, '/v1/payments/callback')?.service, 'order-service');
    assert.equal(routeOf(paths, '/v1/payments/charge')?.service, 'payment-service');
    assert.equal(routeOf(paths, '/v1/paymentsx'), undefined);
  });
});

describe('secrets: node scripts/k8s-secrets.mjs', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'etsr-k8s-'));
    cpSync(K8S_BASE_DIR, join(dir, 'k8s'), { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const secretsFile = () => join(dir, 'k8s', 'secrets.env');
  const readEnv = (text: string) => Object.fromEntries(text.split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, [SECRETS_SCRIPT, '--file', secretsFile(), ...args]).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
    );

  /** The environment of each service's container in the rendered copy. */
  async function renderedServiceEnvs(): Promise<Record<string, Record<string, string>>> {
    const manifests = await renderKustomization(join(dir, 'k8s'));
    return Object.fromEntries(SERVICES.map((s) => [s.name, containerEnvironment(serviceContainer(manifests, s.name), manifests)]));
  }

  it('the committed placeholders are refused by every service in production, naming CHANGE_ME', async () => {
    const committed = readEnv(readFileSync(join(K8S_BASE_DIR, 'secrets.env'), 'utf8'));
    assert.ok(Object.values(committed).every((v) => v.includes('CHANGE_ME')), 'k8s/base/secrets.env holds placeholders only');
    const envs = await renderedServiceEnvs();
    for (const s of SERVICES) {
      // The service's own start function, as its main.ts calls it: it stops at the configuration.
      const bootstrap = require(join(ROOT, 'services', s.name, 'dist', 'src', 'bootstrap.js')) as Record<string, (env: NodeJS.ProcessEnv) => Promise<unknown>>;
      const start = bootstrap[`start${s.name[0].toUpperCase()}${s.name.slice(1)}Service`];
      await assert.rejects(start({ ...envs[s.name] }), (e: unknown) => e instanceof ConfigError && /CHANGE_ME/.test(e.message), s.name);
    }
  });

  it('writes strong values in the formats the services need, which they accept in production, into the rendered Secret', async () => {
    const before = readEnv(readFileSync(secretsFile(), 'utf8'));
    const result = await run();
    assert.equal(result.code, 0, result.output);
    const values = readEnv(readFileSync(secretsFile(), 'utf8'));
    assert.ok(!Object.values(values).some((v) => v.includes('CHANGE_ME')), 'no placeholder left');
    assert.ok(!Object.values(values).some((v) => result.output.includes(v)), 'values are never printed');
    assert.deepEqual(Object.keys(values), Object.keys(before), 'same keys, same order');
    for (const [key, value] of Object.entries(values)) {
      if (key === 'TICKET_SIGNING_KEY' || key.endsWith('_DB_PASSWORD') || key === 'POSTGRES_PASSWORD') assert.match(value, /^[0-9a-f]{64}$/, key);
      else if (key === 'ADMIN_PASSWORD') assert.match(value, /^(?=.*[A-Za-z])(?=.*[0-9])[\w-]{24}$/, key);
      else assert.match(value, /^[\w-]{64}$/, key);
    }
    assert.equal(new Set(Object.values(values)).size, Object.keys(values).length, 'every value different');

    const manifests = await renderKustomization(join(dir, 'k8s'));
    assert.deepEqual(secretData(generated(manifests, 'Secret', 'etsr-secrets')!), values);
    for (const s of SERVICES) {
      const env = containerEnvironment(serviceContainer(manifests, s.name), manifests);
      const module = require(join(ROOT, 'services', s.name, 'dist', 'src', 'config.js')) as Record<string, unknown>;
      const cls = Object.values(module).find((v) => typeof v === 'function' && /Config$/.test((v as { name: string }).name)) as new () => BaseConfig;
      // The development values the bootstrap refuses in production: DEV_<SETTING> exports.
      const devDefaults = Object.fromEntries(
        Object.entries(module)
          .filter(([k, v]) => k.startsWith('DEV_') && typeof v === 'string')
          .map(([k, v]) => [k.slice(4), v as string]),
      );
      // SERVICE_NAME as the bootstrap adds it (main.ts passes each service's own name).
      const config = loadConfig(cls, { SERVICE_NAME: s.name, ...env }, devDefaults) as unknown as Record<string, unknown>;
      assert.equal(config.NODE_ENV, 'production');
      assert.equal(config.DATABASE_URL, `postgres://${s.name}_service:${values[`${s.name.toUpperCase()}_DB_PASSWORD`]}@postgres:5432/${s.database}`);
    }
    assert.match(readFileSync(join(ROOT, 'services/order/src/config.ts'), 'utf8'), /64-hex-digit seed/, 'the ticket key format the script writes');
  });

  it('refuses to replace real values without --force, fills only new placeholders, and replaces all with --force', async () => {
    const real = readFileSync(secretsFile(), 'utf8');
    const refused = await run();
    assert.equal(refused.code, 1);
    assert.match(refused.output, /--force/);
    assert.equal(readFileSync(secretsFile(), 'utf8'), real, 'file unchanged');

    writeFileSync(secretsFile(), real.replace(/^GRAFANA_ADMIN_PASSWORD=.*$/m, 'GRAFANA_ADMIN_PASSWORD=CHANGE_ME-new'));
    const filled = await run();
    assert.equal(filled.code, 0, filled.output);
    const after = readEnv(readFileSync(secretsFile(), 'utf8'));
    const previous = readEnv(real);
    for (const key of Object.keys(previous)) {
      if (key === 'GRAFANA_ADMIN_PASSWORD') assert.notEqual(after[key], previous[key]);
      else assert.equal(after[key], previous[key], `${key} kept`);
    }
    assert.doesNotMatch(JSON.stringify(after), /CHANGE_ME/);

    const forced = await run('--force');
    assert.equal(forced.code, 0, forced.output);
    const replaced = readEnv(readFileSync(secretsFile(), 'utf8'));
    for (const key of Object.keys(previous)) assert.notEqual(replaced[key], after[key], `${key} replaced`);
    assert.match(forced.output, /ALTER ROLE/, 'warns that a running database keeps its old passwords');
  });
});
