import * as pulumi from '@pulumi/pulumi';
import { NginxPaths, NginxTuning, NginxUpstreams, renderNginxConfig } from '../nginx';
import { ResourceRequest } from './config';
import { Platform } from './platform';
import { ServiceSpec } from './spec';

/** nginx's port inside its container; unprivileged, so nginx runs as its non-root user. */
export const NGINX_CONTAINER_PORT = 8080;
export const NGINX_CONFIG_PATH = '/etc/nginx/hft/nginx.conf';
/** The official image's `nginx` user. */
const NGINX_USER = { uid: 101, gid: 101 };
/** Everything nginx writes goes to /tmp or the container's log streams: the rest of the image stays read-only to it. */
const CONTAINER_PATHS: NginxPaths = { pidFile: '/tmp/nginx.pid', errorLog: 'stderr', accessLog: '/dev/stdout', tempDir: '/tmp' };

export interface NginxBalancerArgs {
  /** Where nginx runs (docker or kubernetes). */
  platform: Platform;
  /** Official nginx image, 1.27.3 or later (re-resolved upstreams on kubernetes). */
  image: string;
  /** The gateways, as the OrderBackendPool gives them. */
  upstreams: pulumi.Input<NginxUpstreams>;
  /** Port the load balancer is published on. */
  port: number;
  /** nginx tuning. Default: DESIGN.md's (least_conn, 4k buffers, 30s, max_fails 3), but keepalive 128 (see NginxTuning). */
  tuning?: Partial<NginxTuning>;
  /** nginx's requests (kubernetes). */
  resources: ResourceRequest;
}

/** The nginx.conf the container runs. */
export function balancerConfig(upstreams: NginxUpstreams, tuning?: Partial<NginxTuning>): string {
  return renderNginxConfig({ upstreams, listenPort: NGINX_CONTAINER_PORT, tuning, paths: CONTAINER_PATHS });
}

/** nginx with the rendered config, published on `port`, answering its own /health. */
export function balancerSpec(args: NginxBalancerArgs, config: pulumi.Input<string>): ServiceSpec {
  const port = NGINX_CONTAINER_PORT;
  return {
    name: 'nginx',
    role: 'nginx',
    image: args.image,
    command: ['nginx', '-c', NGINX_CONFIG_PATH, '-g', 'daemon off;'],
    env: {},
    user: NGINX_USER,
    resources: args.resources,
    ports: [{ name: 'http', port }],
    liveness: {
      http: { path: '/health', port },
      command: ['curl', '-fsS', '-o', '/dev/null', `http://127.0.0.1:${port}/health`],
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
      startSeconds: 5,
    },
    files: [{ path: NGINX_CONFIG_PATH, content: config }],
    replicas: 1,
    numbered: false,
    singleWriter: false,
    exposure: { kind: 'published', port: args.port, targetPort: port },
  };
}

/** nginx in front of the gateways, with its config rendered by nginx/render.ts. */
export class NginxBalancer extends pulumi.ComponentResource {
  /** Where clients send orders. */
  readonly url: pulumi.Output<string>;
  /** The rendered nginx.conf. */
  readonly config: pulumi.Output<string>;

  constructor(name: string, args: NginxBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('hft:index:NginxBalancer', name, {}, opts);
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) {
      throw new Error(`port must be an integer from 1 to 65535 (got ${args.port})`);
    }
    this.config = pulumi.output(args.upstreams).apply((upstreams) => balancerConfig(upstreams as NginxUpstreams, args.tuning));
    const deployed = args.platform.deployService(balancerSpec(args, this.config), { name, parent: this });
    if (deployed.url === undefined) throw new Error(`${args.platform.target} gave the published nginx no URL`);
    this.url = deployed.url;
    this.registerOutputs({ url: this.url, config: this.config });
  }
}
