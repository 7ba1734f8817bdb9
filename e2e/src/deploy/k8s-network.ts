import { parse } from 'yaml';
import { alertmanagerConfig, alertmanagerTargets, smarthosts } from './alertmanager';
import { Container, Manifest, configFileArg, mountedFile, named, ofKind, selects, workloads } from './k8s-manifests';

/**
 * "from -> to:port", from and to being app labels; a peer outside the namespace is
 * "namespace/<name>" (with "[label=value]" when a podSelector narrows it) or "ipBlock(<cidr>
 * except ...)". A protocol other than TCP follows the port: "...:53/UDP".
 */
export type Edge = string;

const edge = (from: string, to: string, port: number | string, protocol = 'TCP'): Edge => `${from} -> ${to}:${port}${protocol === 'TCP' ? '' : `/${protocol}`}`;

/** How an edge names the pods of another namespace: all of them, or those with `podLabels`. */
export function namespacePeer(namespace: string, podLabels?: Record<string, string>): string {
  const labels = Object.entries(podLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  return `namespace/${namespace}${labels.length ? `[${labels.join(',')}]` : ''}`;
}

/** How an edge names an address block. */
export function ipBlockPeer(cidr: string, except: string[] = []): string {
  return `ipBlock(${cidr}${except.length ? ` except ${except.join(',')}` : ''})`;
}

/** Whether an edge leads out of the namespace (to another namespace or to an address block). */
export const leavesNamespace = (e: Edge): boolean => / -> (namespace\/|ipBlock\()/.test(e);

/** The port an edge ends on (its number, or a name when a rule names a port of an outside peer). */
export const portOf = (e: Edge): string => e.slice(e.lastIndexOf(':') + 1).split('/')[0];

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

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } };
type PolicyPort = { protocol?: string; port?: number | string; endPort?: number };
type Direction = 'Ingress' | 'Egress';

/** The directions a policy restricts: policyTypes, or as the API defaults it (Ingress, and Egress when it has egress rules). */
function directionsOf(policy: Manifest): Direction[] {
  return policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress' as const] : [])];
}

/** The pods a peer names: workloads of the namespace, or a name for what lies outside it. */
function peerTargets(policy: Manifest, peer: Peer, pods: Manifest[]): { name: string; workload?: Manifest }[] {
  const where = `NetworkPolicy ${policy.metadata.name}`;
  for (const selector of [peer.podSelector, peer.namespaceSelector]) {
    if (selector?.matchExpressions?.length) throw new Error(`${where}: matchExpressions are not evaluated by this check`);
  }
  if (peer.ipBlock) return [{ name: ipBlockPeer(peer.ipBlock.cidr, peer.ipBlock.except) }];
  if (peer.namespaceSelector) {
    const namespace = peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'];
    if (!namespace) throw new Error(`${where}: a namespaceSelector not naming one namespace`);
    return [{ name: namespacePeer(namespace, peer.podSelector?.matchLabels) }];
  }
  const selected = pods.filter((w) => selects(peer.podSelector, w.spec.template.metadata.labels));
  if (selected.length === 0) throw new Error(`${where}: podSelector ${JSON.stringify(peer.podSelector)} selects no pod of the namespace`);
  return selected.map((w) => ({ name: appOf(w), workload: w }));
}

/**
 * Every connection the NetworkPolicies allow in one direction, for the namespace's pods: for each
 * pod a policy selects, each peer its rules of that direction name, on each port (a named port
 * is looked up in the pods it belongs to: the selected ones for ingress, the peer's for egress).
 * A rule open to every peer or every port, or rules of a direction the policy's policyTypes leave
 * out (Kubernetes ignores them), are errors rather than edges this check cannot list.
 */
function policyEdges(manifests: Manifest[], direction: Direction): Set<Edge> {
  const pods = workloads(manifests);
  const edges = new Set<Edge>();
  const key = direction === 'Ingress' ? 'ingress' : 'egress';
  for (const policy of ofKind(manifests, 'NetworkPolicy')) {
    const where = `NetworkPolicy ${policy.metadata.name}`;
    const rules = policy.spec[key] ?? [];
    if (!directionsOf(policy).includes(direction)) {
      if (rules.length) throw new Error(`${where}: ${key} rules that policyTypes leaves out, so Kubernetes ignores them`);
      continue;
    }
    const selector = policy.spec.podSelector;
    const selected = pods.filter((w) => (Object.keys(selector?.matchLabels ?? {}).length === 0 ? true : selects(selector, w.spec.template.metadata.labels)));
    for (const rule of rules) {
      const peers: Peer[] = (direction === 'Ingress' ? rule.from : rule.to) ?? [];
      if (!peers.length) throw new Error(`${where}: a rule open to every ${direction === 'Ingress' ? 'source' : 'destination'}`);
      const ports: PolicyPort[] = rule.ports ?? [];
      if (!ports.length) throw new Error(`${where}: a rule open on every port`);
      if (ports.some((p) => p.endPort !== undefined || p.port === undefined)) throw new Error(`${where}: a port range or a rule without a port`);
      const targets = peers.flatMap((peer) => peerTargets(policy, peer, pods));
      for (const pod of selected) {
        for (const target of targets) {
          for (const { port, protocol = 'TCP' } of ports) {
            // The pods listening are the selected ones for ingress, the peer's for egress.
            const listener = direction === 'Ingress' ? pod : target.workload;
            const number = listener ? containerPort(listener, port!) : port!;
            if (number === undefined) continue; // a port these pods do not have
            if (direction === 'Ingress') edges.add(edge(target.name, appOf(pod), number, protocol));
            else edges.add(edge(appOf(pod), target.name, number, protocol));
          }
        }
      }
    }
  }
  return edges;
}

/** Every connection the NetworkPolicies let into the namespace's pods (sources outside it named as in `Edge`). */
export function allowedIngress(manifests: Manifest[]): Set<Edge> {
  return policyEdges(manifests, 'Ingress');
}

/** Every connection the NetworkPolicies let the namespace's pods open (destinations outside it named as in `Edge`). */
export function allowedEgress(manifests: Manifest[]): Set<Edge> {
  return policyEdges(manifests, 'Egress');
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

/** The ingress controller's connections (`controller` named as in `Edge`): each backend of the Ingress. */
export function ingressEdges(manifests: Manifest[], controller: string): Set<Edge> {
  const edges = new Set<Edge>();
  for (const ingress of ofKind(manifests, 'Ingress')) {
    for (const rule of ingress.spec.rules) {
      for (const p of rule.http.paths) {
        const service = named(manifests, 'Service', p.backend.service.name);
        const servicePort = service.spec.ports.find((sp: { name?: string; port: number }) => sp.name === p.backend.service.port.name || sp.port === p.backend.service.port.number);
        edges.add(edgeOfUrl(manifests, controller, `http://${service.metadata.name}:${servicePort.port}`)!);
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
