/**
 * The seam between what runs (the components' specs) and how it runs: one
 * implementation per deploy target, so no component holds two copies of its
 * logic.
 */
import * as pulumi from '@pulumi/pulumi';
import { NginxUpstreams } from '../../nginx';
import { JobSpec, SecretKeyRef, ServiceSpec, StoreSpec } from '../spec';

/** A backend as the `backends` stack output lists it. */
export interface BackendEndpoint {
  name: string;
  /** Where it answers inside the platform; absent for services nobody connects to. */
  url?: string;
  /** Instances behind the name when the platform names them itself (a kubernetes Deployment). */
  replicas?: number;
}

export interface DeployedService {
  /** Each instance (docker) or the whole group (kubernetes), as the `backends` output lists them. */
  endpoints: pulumi.Output<BackendEndpoint[]>;
  /** How nginx reaches every instance; resolves once they exist. */
  upstreams: pulumi.Output<NginxUpstreams>;
  /** The published URL, for `exposure: published`. */
  url?: pulumi.Output<string>;
}

export interface DeployedStore {
  /** The host name other containers connect to; resolves once the store is healthy. */
  host: pulumi.Output<string>;
}

export interface DeployedJob {
  /** Resolves once the job has succeeded, to its name on the platform; fails the deployment if it failed. */
  succeeded: pulumi.Output<string>;
}

/** Build arguments of the backend image (backend/Dockerfile). */
export interface BackendImageSpec {
  /** Image name (and tag) to build or to pull. */
  name: string;
  /** NODE_IMAGE build argument. */
  nodeImage: string;
}

/** The component a platform creates resources for: they are its children, named `${name}-…`. */
export interface Scope {
  readonly name: string;
  readonly parent: pulumi.Resource;
}

export interface Platform {
  readonly target: 'docker' | 'kubernetes';
  /** The backend image the stack runs: built here (docker) or pulled by the cluster (kubernetes). */
  backendImage(spec: BackendImageSpec): pulumi.Output<string>;
  /** Keeps `values` as a secret and returns one reference per key. */
  secret(name: string, values: Record<string, pulumi.Output<string>>, scope: Scope): Record<string, SecretKeyRef>;
  deployStore(spec: StoreSpec, scope: Scope): DeployedStore;
  deployJob(spec: JobSpec, scope: Scope): DeployedJob;
  deployService(spec: ServiceSpec, scope: Scope): DeployedService;
}
