import type { Manifest } from './k8s-manifests';

type ModelClass = { prototype: { validate(this: unknown): void } };

/**
 * Checks a manifest against the Kubernetes API schemas that kubernetes-models carries (types,
 * required fields, enums, formats) and, unlike its own validate(), refuses unknown fields too, as
 * `kubectl apply --validate=strict` does: a misspelt or misplaced field is otherwise dropped in
 * silence by the API server. Returns the problems, none when the manifest is valid.
 */
export async function schemaProblems(manifest: Manifest): Promise<string[]> {
  const model = await modelClass(manifest.apiVersion, manifest.kind);
  if (!model) return [`no schema for ${manifest.apiVersion} ${manifest.kind}`];
  const subject = asApiServerReads(manifest);
  const reads = new Map<object, Set<string>>();
  const problems: string[] = [];
  try {
    model.prototype.validate.call(recordingReads(subject, reads));
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
  }
  for (const field of unreadFields(subject, reads, '')) problems.push(`${field}: unknown field`);
  return problems;
}

/**
 * kustomize wraps long base64 values of a Secret over several lines; the API server's base64
 * decoder skips line breaks, the schema's "byte" format does not.
 */
function asApiServerReads(manifest: Manifest): Manifest {
  if (manifest.kind !== 'Secret' || !manifest.data) return manifest;
  return { ...manifest, data: Object.fromEntries(Object.entries(manifest.data).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')])) };
}

async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  // kubernetes-models/<group>/<version>, the core group as kubernetes-models/v1.
  const module = (await import(`kubernetes-models/${apiVersion}`).catch(() => undefined)) as Record<string, ModelClass> | undefined;
  return module?.[kind];
}

/**
 * The compiled schema validators read every property their schema declares (`data.replicas`)
 * and every key of a free-form map (labels, resources): a field of the manifest that validation
 * never read is one the schema does not know.
 */
function recordingReads<T>(value: T, reads: Map<object, Set<string>>): T {
  if (value === null || typeof value !== 'object') return value;
  const children = new Map<string, unknown>();
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return child;
      let seen = reads.get(target);
      if (!seen) reads.set(target, (seen = new Set()));
      seen.add(key);
      if (child === null || typeof child !== 'object') return child;
      if (!children.has(key)) children.set(key, recordingReads(child, reads));
      return children.get(key);
    },
  }) as T;
}

function unreadFields(value: unknown, reads: Map<object, Set<string>>, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => unreadFields(item, reads, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const seen = reads.get(value) ?? new Set<string>();
  return Object.entries(value).flatMap(([key, child]) =>
    seen.has(key) ? unreadFields(child, reads, `${path}.${key}`) : [`${path}.${key}`.replace(/^\./, '')],
  );
}
