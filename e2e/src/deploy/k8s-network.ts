import { parse } from 'yaml';
import { alertmanagerConfig, alertmanagerTargets, smarthosts } from './alertmanager';
import { Container, Manifest, configFileArg, mountedFile, named, ofKind, selects, workloads } from './k8s-manifests';

/** "from -> to:port", from and to being app labels (or "namespace/<name>" for another namespace). */
export type Edge = string;

const edge = (from: string, to: string, port: number): Edge => `${from} -> ${to}:${port}`;

function appOf(workload: Manifest): string {
  const app = workload.spec.template.metadata?.labels?.app;
  if (!app) throw new Error(`${workload.kind} ${workload.metadata.name} has no app label on its pods`);
  return app;
}

function containers(workload: Manifest): Container[] {
  return workload.spec.template.spec.containers;
}

/** The number of a container port given by name or number, in the pods of `workload`. */
function containerPort(workload: Manifest, port: string | number): number | undefined {
  for (const c of containers(workload)) {
    for (const p of c.ports ?? []) if (p.name === port || p.containerPort === port) return p.containerPort;
  }
  return undefined;
}

/**
 * Every connection the NetworkPolicies allow into the namespace's pods: for each pod a policy
 * selects, each source its ingress rules name, on each port. Sources outside the namespace
 * (namespaceSelector) are named by their kubernetes.io/metadata.name.
 */
export function allowedEdges(manifests: Manifest[]): Set<Edge> {
  const pods = workloads(manifests);
  const edges = new Set<Edge>();
  for (const policy of ofKind(manifests, 'NetworkPolicy')) {
    const selector = policy.spec.podSelector;
    const targets = pods.filter((w) => (Object.keys(selector?.matchLabels ?? {}).length === 0 ? true : selects(selector, w.spec.template.metadata.labels)));
    for (const rule of policy.spec.ingress ?? []) {
      const sources: string[] = (rule.from ?? []).flatMap((peer: { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: { matchLabels?: Record<string, string> } }) => {
        if (peer.namespaceSelector) {
          const namespace = peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'];
          if (!namespace) throw new Error(`NetworkPolicy ${policy.metadata.name}: a namespaceSelector not naming one namespace`);
          return [`namespace/${namespace}`];
        }
        return pods.filter((w) => selects(peer.podSelector, w.spec.template.metadata.labels)).map(appOf);
      });
      if (!rule.from?.length) throw new Error(`NetworkPolicy ${policy.metadata.name}: a rule open to every source`);
      for (const target of targets) {
        for (const { port } of rule.ports ?? []) {
          const number = containerPort(target, port);
          if (number === undefined) continue; // a port these pods do not have
          for (const source of sources) edges.add(edge(source, appOf(target), number));
        }
      }
    }
  }
  return edges;
}

/** The pod port a URL of the cluster reaches: http://<service>:<port> → the Service's pods. */
export function edgeOfUrl(manifests: Manifest[], from: string, url: string): Edge | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const service = ofKind(manifests, 'Service').find((s) => s.metadata.name === parsed.hostname.split('.')[0]);
  if (!service) return undefined;
  const servicePort = service.spec.ports.find((p: { port: number }) => p.port === Number(parsed.port));
  if (!servicePort) throw new Error(`${from}: ${url} names port ${parsed.port}, which Service ${service.metadata.name} does not have`);
  const target = workloads(manifests).find((w) => selects(service.spec.selector ? { matchLabels: service.spec.selector } : undefined, w.spec.template.metadata.labels));
  if (!target) throw new Error(`Service ${service.metadata.name} selects no pods`);
  const number = containerPort(target, servicePort.targetPort ?? servicePort.port);
  if (number === undefined) throw new Error(`Service ${service.metadata.name}: targetPort ${servicePort.targetPort} is no container port`);
  return edge(from, appOf(target), number);
}

/** Prometheus scrapes: pods asking for it by annotation, and the postgres process-exporter. */
export function scrapeEdges(manifests: Manifest[]): Set<Edge> {
  const edges = new Set<Edge>();
  for (const w of workloads(manifests)) {
    const annotations = w.spec.template.metadata?.annotations ?? {};
    if (annotations['prometheus.io/scrape'] === 'true') edges.add(edge('prometheus', appOf(w), Number(annotations['prometheus.io/port'])));
    const exporter = containerPort(w, 'process-metrics');
    if (exporter !== undefined) edges.add(edge('prometheus', appOf(w), exporter));
  }
  return edges;
}

/** The ingress controller's connections: each backend of the Ingress. */
export function ingressEdges(manifests: Manifest[], controllerNamespace: string): Set<Edge> {
  const edges = new Set<Edge>();
  for (const ingress of ofKind(manifests, 'Ingress')) {
    for (const rule of ingress.spec.rules) {
      for (const p of rule.http.paths) {
        const service = named(manifests, 'Service', p.backend.service.name);
        const servicePort = service.spec.ports.find((sp: { name?: string; port: number }) => sp.name === p.backend.service.port.name || sp.port === p.backend.service.port.number);
        edges.add(edgeOfUrl(manifests, `namespace/${controllerNamespace}`, `http://${service.metadata.name}:${servicePort.port}`)!);
      }
    }
  }
  return edges;
}

/**
 * Alerting: Prometheus to every alertmanager target of its configuration, Alertmanager to every
 * SMTP server it sends through. Each is read from the --config.file the container is started
 * with, in the ConfigMap it mounts; a server outside the namespace makes no edge.
 */
export function alertingEdges(manifests: Manifest[]): Set<Edge> {
  const edges = new Set<Edge>();
  const add = (e: Edge | undefined) => e && edges.add(e);
  for (const w of workloads(manifests)) {
    for (const c of containers(w)) {
      const repository = String(c.image).split(':')[0].split('/').pop();
      const file = configFileArg(c);
      if (repository === 'prometheus' && file) {
        for (const url of alertmanagerTargets(parse(mountedFile(manifests, w, c, file)))) add(edgeOfUrl(manifests, appOf(w), url));
      }
      if (repository === 'alertmanager' && file) {
        for (const host of smarthosts(alertmanagerConfig(mountedFile(manifests, w, c, file)))) add(edgeOfUrl(manifests, appOf(w), `smtp://${host}`));
      }
    }
  }
  return edges;
}
