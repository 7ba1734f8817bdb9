import type { Manifest } from './k8s-manifests';

export interface IngressPath {
  path: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  service: string;
  port: string | number;
}

export function ingressPaths(ingress: Manifest): IngressPath[] {
  return (ingress.spec.rules ?? []).flatMap((rule: { http?: { paths: unknown[] } }) =>
    (rule.http?.paths ?? []).map((p) => {
      const { path, pathType, backend } = p as { path: string; pathType: IngressPath['pathType']; backend: { service: { name: string; port: { name?: string; number?: number } } } };
      return { path, pathType, service: backend.service.name, port: backend.service.port.name ?? backend.service.port.number! };
    }),
  );
}

/**
 * The service a request path reaches, by the Ingress API's rules: an Exact path matches only
 * itself; a Prefix path matches whole path elements (/v1/seats matches /v1/seats/7, not
 * /v1/seatsx); among matches the longest path wins, Exact before Prefix at equal length.
 */
export function routeOf(paths: IngressPath[], requestPath: string): IngressPath | undefined {
  const matches = paths.filter((p) => (p.pathType === 'Exact' ? p.path === requestPath : prefixMatches(p.path, requestPath)));
  matches.sort((a, b) => b.path.length - a.path.length || (a.pathType === 'Exact' ? -1 : 0) - (b.pathType === 'Exact' ? -1 : 0));
  return matches[0];
}

function prefixMatches(prefix: string, requestPath: string): boolean {
  const want = prefix.split('/').filter(Boolean);
  const got = requestPath.split('/').filter(Boolean);
  return want.length <= got.length && want.every((element, i) => got[i] === element);
}

/** A concrete request path for an OpenAPI path template: /v1/orders/{id} → /v1/orders/42. */
export function samplePath(template: string): string {
  return template.replace(/\{[^}]+\}/g, '42');
}
