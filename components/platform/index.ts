import * as pulumi from '@pulumi/pulumi';
import { StackConfig } from '../config';
import { DockerPlatform } from './docker';
import { KubernetesPlatform } from './kubernetes';
import { Platform } from './platform';

export * from './platform';
export { DockerPlatform, DockerPlatformArgs } from './docker';
export { KubernetesPlatform, KubernetesPlatformArgs } from './kubernetes';

/** The platform the stack's `target` names; `opts` go to the platform's own resources. */
export function createPlatform(config: StackConfig, opts?: pulumi.CustomResourceOptions): Platform {
  switch (config.target) {
    case 'docker':
      return new DockerPlatform({ namePrefix: config.docker.namePrefix, opts });
    case 'kubernetes':
      return new KubernetesPlatform({
        namespace: config.kubernetes.namespace,
        serviceType: config.kubernetes.nginxServiceType,
        dnsResolver: config.kubernetes.dnsResolver,
        clusterDomain: config.kubernetes.clusterDomain,
        storageClass: config.kubernetes.storageClass,
        opts,
      });
  }
}
