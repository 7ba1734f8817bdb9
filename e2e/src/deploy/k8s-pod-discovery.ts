import { Manifest, workloads } from './k8s-manifests';

/** A file_sd target group: one pod port, with the labels Kubernetes pod discovery gives it. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

const labelName = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

/** How many pods a workload runs once settled: its replicas, or its autoscaler's minimum. */
export function settledReplicas(workload: Manifest, manifests: Manifest[]): number {
  const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.spec.scaleTargetRef.name === workload.metadata.name);
  return workload.spec.replicas ?? hpa?.spec.minReplicas ?? 1;
}

/**
 * What Prometheus's Kubernetes pod discovery (role: pod) would hand to relabelling for the
 * rendered workloads: one target per declared container port of every replica, with the
 * documented __meta_kubernetes_pod_* labels. Debian's Prometheus is built without
 * kubernetes_sd_configs, so the checks feed these to it through file_sd_configs instead; the
 * relabelling under test is the real one. Pod addresses are 127.1.<workload>.<replica>.
 */
export function discoveredPods(manifests: Manifest[], namespace: string): TargetGroup[] {
  const groups: TargetGroup[] = [];
  workloads(manifests).forEach((workload, w) => {
    const template = workload.spec.template;
    for (let r = 0; r < settledReplicas(workload, manifests); r++) {
      const ip = `127.1.${w + 1}.${r + 1}`;
      const pod: Record<string, string> = {
        __meta_kubernetes_namespace: namespace,
        __meta_kubernetes_pod_name: `${workload.metadata.name}-${r}`,
        __meta_kubernetes_pod_ip: ip,
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_ready: 'true',
      };
      for (const [k, v] of Object.entries<string>(template.metadata.labels ?? {})) {
        pod[`__meta_kubernetes_pod_label_${labelName(k)}`] = v;
        pod[`__meta_kubernetes_pod_labelpresent_${labelName(k)}`] = 'true';
      }
      for (const [k, v] of Object.entries<string>(template.metadata.annotations ?? {})) {
        pod[`__meta_kubernetes_pod_annotation_${labelName(k)}`] = v;
        pod[`__meta_kubernetes_pod_annotationpresent_${labelName(k)}`] = 'true';
      }
      for (const container of template.spec.containers) {
        const ports: { name?: string; containerPort: number; protocol?: string }[] = container.ports ?? [];
        const withContainer = { ...pod, __meta_kubernetes_pod_container_name: container.name, __meta_kubernetes_pod_container_image: container.image };
        // A container without ports is one target at the bare pod address.
        if (ports.length === 0) groups.push({ targets: [ip], labels: withContainer });
        for (const port of ports) {
          groups.push({
            targets: [`${ip}:${port.containerPort}`],
            labels: {
              ...withContainer,
              __meta_kubernetes_pod_container_port_name: port.name ?? '',
              __meta_kubernetes_pod_container_port_number: String(port.containerPort),
              __meta_kubernetes_pod_container_port_protocol: port.protocol ?? 'TCP',
            },
          });
        }
      }
    }
  });
  return groups;
}
