import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../root';
import { requireTool } from './tools';

/** One rendered Kubernetes object, as plain data. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PodSpec = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Container = any;

/** The kustomize base: `kubectl apply -k k8s/base/`. */
export const K8S_BASE_DIR = join(ROOT, 'k8s', 'base');
/** The plain manifests rendered from it (scripts/k8s-render.mjs): `kubectl apply -f ./k8s`. */
export const K8S_PLAIN_DIR = join(ROOT, 'k8s');

/** `kubectl kustomize <dir>`: exactly what `kubectl apply -k` would send, generated names included. */
export async function renderKustomization(dir = K8S_BASE_DIR): Promise<Manifest[]> {
  const kubectl = await requireTool('kubectl');
  const { stdout } = await promisify(execFile)(kubectl, ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 });
  return parseManifests(stdout);
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as Manifest | null;
    return value ? [value] : [];
  });
}

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

export function named(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`No ${kind} ${name} in the rendered manifests`);
  return found;
}

/** Deployments and StatefulSets: everything that runs pods. */
export function workloads(manifests: Manifest[]): Manifest[] {
  return manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet');
}

/** A Secret's values, decoded. */
export function secretData(secret: Manifest): Record<string, string> {
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/** The ConfigMap or Secret a generator made from `name` (kustomize appends a content hash). */
export function generated(manifests: Manifest[], kind: 'ConfigMap' | 'Secret', name: string): Manifest | undefined {
  return manifests.find((m) => m.kind === kind && m.metadata.name.replace(/-[a-z0-9]{10}$/, '') === name);
}

/** Whether a label selector's matchLabels all hold on `labels`. */
export function selects(selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string> = {}): boolean {
  const wanted = Object.entries(selector?.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

/**
 * The environment a container's process gets, as Kubernetes builds it: envFrom ConfigMaps and
 * Secrets in order, then env (later wins), $(VAR) expanded from variables defined before.
 */
export function containerEnvironment(container: Container, manifests: Manifest[]): Record<string, string> {
  const env: Record<string, string> = {};
  const lookup = (kind: 'ConfigMap' | 'Secret', name: string) => {
    const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
    if (!found) throw new Error(`${container.name}: no ${kind} ${name}`);
    return kind === 'Secret' ? secretData(found) : (found.data ?? {});
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, lookup('ConfigMap', source.configMapRef.name));
    if (source.secretRef) Object.assign(env, lookup('Secret', source.secretRef.name));
  }
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef ?? entry.valueFrom?.configMapKeyRef;
    if (ref) {
      const data = lookup(entry.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name);
      if (!(ref.key in data)) throw new Error(`${container.name}: ${entry.name} refers to missing key ${ref.key} of ${ref.name}`);
      env[entry.name] = data[ref.key];
    } else {
      env[entry.name] = String(entry.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name: string) => env[name] ?? all);
    }
  }
  return env;
}

/** The file at `path` in a container, from the ConfigMap volume mounted over it; throws when none holds it. */
export function mountedFile(manifests: Manifest[], workload: Manifest, container: Container, path: string): string {
  const where = `${workload.metadata.name}/${container.name}`;
  const mount = (container.volumeMounts ?? []).find((m: { mountPath: string }) => path.startsWith(`${m.mountPath}/`));
  if (!mount) throw new Error(`${where}: ${path} is on no volume`);
  const volume = workload.spec.template.spec.volumes?.find((v: { name: string }) => v.name === mount.name);
  const configMap = volume?.configMap && manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === volume.configMap.name);
  const text = configMap?.data?.[path.slice(mount.mountPath.length + 1)];
  if (text === undefined) throw new Error(`${where}: ${path} is in no ConfigMap`);
  return text;
}

/** The --config.file a container is started with, or undefined. */
export function configFileArg(container: Container): string | undefined {
  const arg = (container.args ?? []).find((a: string) => a.startsWith('--config.file='));
  return arg?.slice('--config.file='.length);
}
