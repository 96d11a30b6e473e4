/**
 * The specs on a Kubernetes cluster: a namespace, Secrets, StatefulSets with
 * volume claims for stores, a Job for one-off work, Deployments for services
 * (Services, PodDisruptionBudgets, NetworkPolicies, ConfigMaps with a
 * checksum annotation) and non-root pods throughout.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { ServiceType } from '../config';
import { ContainerSpec, EnvValue, JobSpec, Probe, Role, RunningSpec, SecretKeyRef, ServiceSpec, StoreSpec } from '../spec';
import { BackendImageSpec, DeployedJob, DeployedService, DeployedStore, Platform, Scope } from './platform';

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type K8sProbe = k8s.types.input.core.v1.Probe;

export interface KubernetesPlatformArgs {
  namespace: string;
  /** Type of the Service that publishes a service (the load balancer). */
  serviceType: ServiceType;
  /** DNS server nginx re-resolves Services with. */
  dnsResolver: string;
  clusterDomain: string;
  /** StorageClass of volume claims; empty for the cluster's default. */
  storageClass: string;
  /** Options of the platform's own resources (the namespace), e.g. a provider. */
  opts?: pulumi.CustomResourceOptions;
}

const PART_OF = 'app.kubernetes.io/part-of';
const COMPONENT = 'app.kubernetes.io/component';
const NAME = 'app.kubernetes.io/name';

function labels(spec: ContainerSpec): Record<string, string> {
  return { [PART_OF]: 'hft-stack', [COMPONENT]: spec.role, [NAME]: spec.name };
}

function selector(spec: ContainerSpec): Record<string, string> {
  return { [PART_OF]: 'hft-stack', [NAME]: spec.name };
}

function probe(check: Probe, failureThreshold = check.failureThreshold): K8sProbe {
  return {
    ...(check.http ? { httpGet: { path: check.http.path, port: check.http.port } } : { exec: { command: check.command } }),
    periodSeconds: check.periodSeconds,
    timeoutSeconds: check.timeoutSeconds,
    failureThreshold,
  };
}

function env(values: Record<string, EnvValue>): k8s.types.input.core.v1.EnvVar[] {
  return Object.entries(values).map(([name, value]) => {
    if (typeof value === 'string') return { name, value };
    if (value.kind === 'instanceName') return { name, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };
    if (value.secretName === undefined) throw new Error(`${name}: the secret reference was not made by the kubernetes platform`);
    return { name, valueFrom: { secretKeyRef: { name: value.secretName, key: value.key } } };
  });
}

/** The pod's user and the container's hardening: non-root, no privilege escalation, no capabilities. */
function podSecurity(spec: ContainerSpec): PodSpec['securityContext'] {
  return {
    runAsNonRoot: true,
    runAsUser: spec.user.uid,
    runAsGroup: spec.user.gid,
    // Volumes become writable by the group, so a non-root store can own its data.
    fsGroup: spec.user.gid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function container(spec: ContainerSpec): Container {
  return {
    name: spec.name,
    image: spec.image,
    // The spec's command replaces the image's CMD, which Kubernetes calls args.
    args: spec.command,
    env: env(spec.env),
    resources: { requests: { cpu: spec.resources.cpu, memory: spec.resources.memory }, limits: { memory: spec.resources.memory } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
}

function fileKey(file: { path: string }): string {
  return path.posix.basename(file.path);
}

export class KubernetesPlatform implements Platform {
  readonly target = 'kubernetes' as const;
  private readonly namespace: pulumi.Output<string>;

  constructor(private readonly args: KubernetesPlatformArgs) {
    const namespace = new k8s.core.v1.Namespace('namespace', { metadata: { name: args.namespace } }, args.opts);
    this.namespace = namespace.metadata.name;
  }

  backendImage(spec: BackendImageSpec): pulumi.Output<string> {
    // The cluster pulls the image: build and push it (backend/Dockerfile) before `pulumi up`.
    return pulumi.output(spec.name);
  }

  secret(name: string, values: Record<string, pulumi.Output<string>>, scope: Scope): Record<string, SecretKeyRef> {
    // No fixed name: a changed value makes a new Secret, and every pod that refers to it rolls.
    const secret = new k8s.core.v1.Secret(
      `${scope.name}-${name}`,
      { metadata: { namespace: this.namespace }, type: 'Opaque', stringData: pulumi.secret(pulumi.all(values)) },
      { parent: scope.parent },
    );
    return Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, { kind: 'secretKey', secretName: secret.metadata.name, key, value: pulumi.secret(value) }]),
    );
  }

  deployStore(spec: StoreSpec, scope: Scope): DeployedStore {
    const service = new k8s.core.v1.Service(
      `${scope.name}-${spec.name}`,
      {
        metadata: { name: spec.name, namespace: this.namespace, labels: labels(spec) },
        spec: { selector: selector(spec), ports: spec.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })) },
      },
      { parent: scope.parent },
    );
    const pod = this.pod(spec, [{ name: 'data', mountPath: spec.dataPath }], []);
    const statefulSet = new k8s.apps.v1.StatefulSet(
      `${scope.name}-${spec.name}`,
      {
        metadata: { name: spec.name, namespace: this.namespace, labels: labels(spec), annotations: this.startAfter(spec) },
        spec: {
          serviceName: service.metadata.name,
          replicas: 1,
          selector: { matchLabels: selector(spec) },
          template: pod,
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: {
                accessModes: ['ReadWriteOnce'],
                ...(this.args.storageClass === '' ? {} : { storageClassName: this.args.storageClass }),
                resources: { requests: { storage: spec.storageSize } },
              },
            },
          ],
        },
      },
      { parent: scope.parent },
    );
    this.networkPolicy(spec, scope);
    // The StatefulSet resolves once its pod is ready, so users of the host start after the store.
    return { host: pulumi.all([service.metadata.name, statefulSet.metadata.name]).apply(([name]) => this.serviceHost(name)) };
  }

  deployJob(spec: JobSpec, scope: Scope): DeployedJob {
    // No fixed name: a changed job is a new Job, run again. Pulumi waits for it to succeed.
    const job = new k8s.batch.v1.Job(
      `${scope.name}-${spec.name}`,
      {
        metadata: { namespace: this.namespace, labels: labels(spec) },
        spec: {
          backoffLimit: 4,
          template: {
            metadata: { labels: labels(spec) },
            spec: { restartPolicy: 'OnFailure', securityContext: podSecurity(spec), containers: [container(spec)] },
          },
        },
      },
      { parent: scope.parent },
    );
    return { succeeded: job.metadata.name };
  }

  deployService(spec: ServiceSpec, scope: Scope): DeployedService {
    const configMap = this.configMap(spec, scope);
    const deployment = new k8s.apps.v1.Deployment(
      `${scope.name}-${spec.name}`,
      {
        metadata: { name: spec.name, namespace: this.namespace, labels: labels(spec), annotations: this.startAfter(spec) },
        spec: {
          replicas: spec.replicas,
          selector: { matchLabels: selector(spec) },
          // One writer: the old pod is gone before the new one starts. Others: never below full strength.
          strategy: spec.singleWriter ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: this.pod(
            spec,
            (spec.files ?? []).map((file) => ({ name: 'config', mountPath: file.path, subPath: fileKey(file), readOnly: true })),
            configMap ? [{ name: 'config', configMap: { name: configMap.metadata.name } }] : [],
          ),
        },
      },
      { parent: scope.parent },
    );
    if (spec.maxUnavailable !== undefined) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${scope.name}-${spec.name}`,
        {
          metadata: { name: spec.name, namespace: this.namespace, labels: labels(spec) },
          spec: { maxUnavailable: spec.maxUnavailable, selector: { matchLabels: selector(spec) } },
        },
        { parent: scope.parent },
      );
    }
    this.networkPolicy(spec, scope);
    return this.expose(spec, scope, deployment);
  }

  private expose(spec: ServiceSpec, scope: Scope, deployment: k8s.apps.v1.Deployment): DeployedService {
    const port = spec.ports[0]?.port;
    const exposure = spec.exposure;
    if (exposure.kind === 'none' || port === undefined) {
      return {
        endpoints: deployment.metadata.name.apply((name) => [{ name, replicas: spec.replicas }]),
        upstreams: pulumi.output([]),
      };
    }
    const published = exposure.kind === 'published';
    const service = new k8s.core.v1.Service(
      `${scope.name}-${spec.name}`,
      {
        metadata: { name: spec.name, namespace: this.namespace, labels: labels(spec) },
        spec: published
          ? { type: this.args.serviceType, selector: selector(spec), ports: [{ name: 'http', port: exposure.port, targetPort: exposure.targetPort }] }
          : // Headless: the name resolves to every ready pod, which nginx balances over itself.
            { clusterIP: 'None', selector: selector(spec), ports: spec.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })) },
      },
      { parent: scope.parent },
    );
    const host = pulumi.all([service.metadata.name, deployment.metadata.name]).apply(([name]) => this.serviceHost(name));
    return {
      endpoints: host.apply((h) => [{ name: spec.name, url: `http://${h}:${port}`, replicas: spec.replicas }]),
      upstreams: host.apply((h) => ({ resolve: { host: h, port }, resolvers: [this.args.dnsResolver], valid: '5s' })),
      url: published ? this.publishedUrl(service, exposure.port, host) : undefined,
    };
  }

  private publishedUrl(service: k8s.core.v1.Service, port: number, host: pulumi.Output<string>): pulumi.Output<string> {
    switch (this.args.serviceType) {
      case 'LoadBalancer':
        return pulumi.all([service.status, host]).apply(([status, inCluster]) => {
          const ingress = status?.loadBalancer?.ingress?.[0];
          const address = ingress?.ip || ingress?.hostname;
          return address ? `http://${address}:${port}` : `http://${inCluster}:${port}`;
        });
      case 'NodePort':
        // Reachable on every node's address; localhost on single-node clusters (Docker Desktop, kind with the port mapped).
        return service.spec.ports.apply((ports) => `http://localhost:${ports[0].nodePort}`);
      case 'ClusterIP':
        return host.apply((h) => `http://${h}:${port}`);
    }
  }

  private serviceHost(name: string): string {
    return `${name}.${this.args.namespace}.svc.${this.args.clusterDomain}`;
  }

  private pod(
    spec: RunningSpec,
    volumeMounts: k8s.types.input.core.v1.VolumeMount[],
    volumes: k8s.types.input.core.v1.Volume[],
  ): k8s.types.input.core.v1.PodTemplateSpec {
    const files = spec.files ?? [];
    const startup = spec.liveness.startSeconds > 0;
    return {
      metadata: {
        labels: labels(spec),
        // A changed config file changes the pod template, so the pods roll.
        annotations: files.length === 0 ? undefined : { 'checksum/config': pulumi.all(files.map((f) => f.content)).apply(checksum) },
      },
      spec: {
        securityContext: podSecurity(spec),
        containers: [
          {
            ...container(spec),
            ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.port })),
            livenessProbe: probe(spec.liveness),
            readinessProbe: spec.readiness ? probe(spec.readiness) : undefined,
            // Startup gets the whole grace; liveness only counts once it has passed.
            startupProbe: startup ? probe(spec.liveness, Math.ceil(spec.liveness.startSeconds / spec.liveness.periodSeconds) + 1) : undefined,
            volumeMounts: volumeMounts.length === 0 ? undefined : volumeMounts,
          },
        ],
        volumes: volumes.length === 0 ? undefined : volumes,
      },
    };
  }

  private configMap(spec: RunningSpec, scope: Scope): k8s.core.v1.ConfigMap | undefined {
    const files = spec.files ?? [];
    if (files.length === 0) return undefined;
    return new k8s.core.v1.ConfigMap(
      `${scope.name}-${spec.name}-config`,
      {
        metadata: { name: `${spec.name}-config`, namespace: this.namespace, labels: labels(spec) },
        data: Object.fromEntries(files.map((file) => [fileKey(file), file.content])),
      },
      { parent: scope.parent },
    );
  }

  /** Names what the workload waited for (the migration Job), and makes it wait. */
  private startAfter(spec: RunningSpec): Record<string, pulumi.Input<string>> | undefined {
    const after = spec.startAfter ?? [];
    return after.length === 0 ? undefined : { 'hft-stack/after': pulumi.all(after).apply((done) => done.join(',')) };
  }

  /** Only the given roles may connect to the spec's ports. */
  private networkPolicy(spec: RunningSpec, scope: Scope): void {
    if (spec.reachableFrom === undefined) return;
    const from: Role[] = spec.reachableFrom;
    new k8s.networking.v1.NetworkPolicy(
      `${scope.name}-${spec.name}`,
      {
        metadata: { name: `${spec.name}-ingress`, namespace: this.namespace, labels: labels(spec) },
        spec: {
          podSelector: { matchLabels: selector(spec) },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { [PART_OF]: 'hft-stack' }, matchExpressions: [{ key: COMPONENT, operator: 'In', values: from }] } }],
              ports: spec.ports.map((p) => ({ protocol: 'TCP', port: p.port })),
            },
          ],
        },
      },
      { parent: scope.parent },
    );
  }
}

function checksum(contents: string[]): string {
  return createHash('sha256').update(contents.join('\0')).digest('hex');
}
