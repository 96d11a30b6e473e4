/**
 * What runs, as plain data: the components describe their containers with
 * these types, and a Platform (docker or kubernetes) turns them into
 * resources. Nothing here knows how either platform spells it.
 */
import * as pulumi from '@pulumi/pulumi';
import { ResourceRequest } from './config';

/** Who a container is; kubernetes NetworkPolicies allow traffic by role. */
export type Role = 'gateway' | 'engine' | 'migrate' | 'postgres' | 'redis' | 'nginx';

/** One key of a platform secret: kubernetes refers to it by name, docker passes the secret value. */
export interface SecretKeyRef {
  readonly kind: 'secretKey';
  /** The kubernetes Secret holding it; undefined on platforms without secret objects. */
  readonly secretName?: pulumi.Output<string>;
  readonly key: string;
  /** The value itself, always a secret Output. */
  readonly value: pulumi.Output<string>;
}

/** The name of the instance the variable is read in (`backend-3` on docker, the pod's name on kubernetes). */
export interface InstanceNameRef {
  readonly kind: 'instanceName';
}

export const INSTANCE_NAME: InstanceNameRef = Object.freeze({ kind: 'instanceName' });

export type EnvValue = string | SecretKeyRef | InstanceNameRef;

/** A check of a running container. */
export interface Probe {
  /** The check as an HTTP GET, for platforms that probe natively (kubernetes). */
  http?: { path: string; port: number };
  /** The same check as a command inside the container (docker HEALTHCHECK, kubernetes exec). */
  command: string[];
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  /** Grace after start before failures count. */
  startSeconds: number;
}

export interface ConfigFile {
  /** Absolute path inside the container. */
  path: string;
  content: pulumi.Input<string>;
}

/** What every container needs, whether it runs once, as a service or as a store. */
export interface ContainerSpec {
  /** Names the thing on the platform: container, Deployment, DNS name. */
  name: string;
  role: Role;
  /** An image name to pull, or (an Output) the image this stack built. */
  image: pulumi.Input<string>;
  /** Replaces the image's CMD (the image's entrypoint stays). */
  command?: string[];
  env: Record<string, EnvValue>;
  /** Non-root user and group the process runs as. */
  user: { uid: number; gid: number };
  resources: ResourceRequest;
}

/** A long-running container: health-checked, restarted when it dies. */
export interface RunningSpec extends ContainerSpec {
  ports: { name: string; port: number }[];
  /** Restart when failing. */
  liveness: Probe;
  /** Send traffic only when passing; docker's single health check uses it when given. */
  readiness?: Probe;
  files?: ConfigFile[];
  /** Roles allowed to connect; undefined means anyone. */
  reachableFrom?: Role[];
  /** Outputs that resolve only once something this container needs is done (a schema migration). */
  startAfter?: pulumi.Output<string>[];
}

/** How clients find a service. */
export type Exposure =
  | { kind: 'none' }
  /** Every instance addressable by its own DNS name (docker aliases, a kubernetes headless Service). */
  | { kind: 'instances' }
  /** Published on `port` outside the platform, forwarding to `targetPort`. */
  | { kind: 'published'; port: number; targetPort: number };

export interface ServiceSpec extends RunningSpec {
  replicas: number;
  /** Instances are told apart by number: `backend-1` … `backend-N` (docker). */
  numbered: boolean;
  /** Never two instances at once, even while replacing one (a shard's single writer). */
  singleWriter: boolean;
  /** Instances that voluntary disruptions (node drains) may take down at once. */
  maxUnavailable?: number;
  exposure: Exposure;
}

/** A stateful single instance with a volume. */
export interface StoreSpec extends RunningSpec {
  /** Where the volume is mounted. */
  dataPath: string;
  storageSize: string;
}

/** A container that runs to completion once (a migration). */
export type JobSpec = ContainerSpec;

/** An HTTP GET on the container's own port, run with node (the backend image has no curl). */
export function nodeHttpCheck(port: number, path: string): string[] {
  return ['node', '-e', `fetch('http://127.0.0.1:${port}${path}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`];
}
