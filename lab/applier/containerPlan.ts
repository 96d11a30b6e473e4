/**
 * docker:index/container:Container inputs → what the Engine API is asked,
 * field by field as the docker provider maps them (kreuzwerker/docker,
 * which pulumi-docker wraps). Pure: no engine is touched here.
 */
import Docker from 'dockerode';
import { tarOf, TarEntry } from '../tarFile';
import { Fields, UnsupportedFieldError } from './fields';
import { goDurationNs } from './goDuration';

export interface NetworkAttachment {
  name: string;
  aliases: string[];
}

export interface ContainerPlan {
  name: string;
  create: Docker.ContainerCreateOptions;
  /** Networks after the first (which is the create's NetworkMode), joined before the start. */
  moreNetworks: NetworkAttachment[];
  /** `uploads` as one tar, extracted at / before the start. */
  uploads?: Buffer;
  start: boolean;
  /** Wait for the container to exit and report its exit code (`attach`). */
  attach: boolean;
  /** With attach: keep its output as `containerLogs`. */
  logs: boolean;
  /** `wait`: seconds to become healthy before the create counts as failed. */
  waitTimeoutSeconds?: number;
}

const RESTART_POLICIES = ['no', 'on-failure', 'always', 'unless-stopped'];

function healthcheck(fields: Fields): Docker.HealthConfig {
  const duration = (key: string) => {
    const text = fields.string(key);
    if (text === undefined) return undefined;
    try {
      return goDurationNs(text);
    } catch (error) {
      throw new UnsupportedFieldError(`${fields.path}: ${key}: ${(error as Error).message}`);
    }
  };
  const config: Docker.HealthConfig = {
    Test: fields.strings('tests'),
    Interval: duration('interval'),
    Timeout: duration('timeout'),
    StartPeriod: duration('startPeriod'),
    Retries: fields.number('retries'),
  };
  // The lab's engine (Debian's 20.10, API 1.41) predates start intervals.
  fields.only('startInterval', ['0s'], 'the lab engine has no health-check start interval');
  fields.assertAllRead();
  return config;
}

function ports(list: Fields[]): { exposed?: Record<string, object>; bindings?: Docker.PortMap } {
  if (list.length === 0) return {};
  const exposed: Record<string, object> = {};
  const bindings: Docker.PortMap = {};
  for (const port of list) {
    const internal = port.number('internal');
    if (internal === undefined) throw new UnsupportedFieldError(`${port.path}: internal is required`);
    const key = `${internal}/${port.string('protocol') ?? 'tcp'}`;
    const external = port.number('external');
    exposed[key] = {};
    // The provider's default address is 0.0.0.0; no external port lets the engine pick one.
    bindings[key] = [...(bindings[key] ?? []), { HostIp: port.string('ip') ?? '0.0.0.0', HostPort: external === undefined ? '' : String(external) }];
    port.assertAllRead();
  }
  return { exposed, bindings };
}

function networks(list: Fields[]): NetworkAttachment[] {
  return list.map((network) => {
    const attachment = { name: network.requiredString('name'), aliases: network.strings('aliases') ?? [] };
    network.assertAllRead();
    return attachment;
  });
}

/** `volumes`: named volumes and host paths become binds, a bare path an anonymous volume. */
function volumes(list: Fields[]): { binds: string[]; anonymous: Record<string, object>; from: string[] } {
  const result = { binds: [] as string[], anonymous: {} as Record<string, object>, from: [] as string[] };
  for (const volume of list) {
    const containerPath = volume.string('containerPath');
    const source = volume.string('volumeName') ?? volume.string('hostPath');
    const readOnly = volume.boolean('readOnly') ?? false;
    const fromContainer = volume.string('fromContainer');
    if (fromContainer !== undefined) result.from.push(fromContainer);
    else if (containerPath === undefined) throw new UnsupportedFieldError(`${volume.path}: containerPath is required`);
    else if (source === undefined) result.anonymous[containerPath] = {};
    else result.binds.push(`${source}:${containerPath}${readOnly ? ':ro' : ''}`);
    volume.assertAllRead();
  }
  return result;
}

function mounts(list: Fields[]): Docker.MountSettings[] {
  return list.map((mount) => {
    const settings: Docker.MountSettings = {
      Target: mount.requiredString('target'),
      Source: mount.string('source') ?? '',
      Type: mount.requiredString('type') as Docker.MountType,
      ReadOnly: mount.boolean('readOnly'),
    };
    mount.assertAllRead();
    return settings;
  });
}

/** `uploads`: files written into the container before it starts; executable means 0744 as the provider has it. */
function uploads(list: Fields[]): Buffer | undefined {
  if (list.length === 0) return undefined;
  const entries: TarEntry[] = list.map((upload) => {
    const file = upload.requiredString('file');
    if (!file.startsWith('/')) throw new UnsupportedFieldError(`${upload.path}: file must be an absolute path (got ${file})`);
    const content = upload.string('content');
    const base64 = upload.string('contentBase64');
    if ((content === undefined) === (base64 === undefined)) {
      throw new UnsupportedFieldError(`${upload.path}: exactly one of content and contentBase64 must be set (source is not supported)`);
    }
    const permissions = upload.string('permissions');
    const mode = permissions !== undefined ? parseInt(permissions, 8) : upload.boolean('executable') ? 0o744 : 0o644;
    if (Number.isNaN(mode)) throw new UnsupportedFieldError(`${upload.path}: permissions must be octal such as 0644`);
    upload.assertAllRead();
    return { path: file, content: content ?? Buffer.from(base64 ?? '', 'base64'), mode };
  });
  return tarOf(entries);
}

/** Plans one container; `labLabels` mark it as the lab's (lab:down removes by them). */
export function planContainer(resourceName: string, inputs: Record<string, unknown>, labLabels: Record<string, string>): ContainerPlan {
  const fields = new Fields(inputs, `docker:index/container:Container ${resourceName}`);
  const name = fields.requiredString('name');
  const attached = networks(fields.objects('networksAdvanced'));
  const networkMode = fields.string('networkMode');
  if (networkMode !== undefined && attached.length > 0) {
    throw new UnsupportedFieldError(`${fields.path}: networkMode and networksAdvanced together are not supported by the lab applier`);
  }
  const labels = Object.fromEntries(
    fields.objects('labels').map((label) => {
      const pair = [label.requiredString('label'), label.string('value') ?? ''];
      label.assertAllRead();
      return pair;
    }),
  );
  const restart = fields.only('restart', RESTART_POLICIES, `one of ${RESTART_POLICIES.join(', ')}`) ?? 'no';
  const health = fields.object('healthcheck');
  const volumeSettings = volumes(fields.objects('volumes'));
  const mountSettings = mounts(fields.objects('mounts'));
  const [firstNetwork, ...moreNetworks] = attached;
  const published = ports(fields.objects('ports'));

  const create: Docker.ContainerCreateOptions = {
    name,
    Image: fields.requiredString('image'),
    Cmd: fields.strings('command'),
    Entrypoint: fields.strings('entrypoints'),
    Env: fields.strings('envs'),
    User: fields.string('user'),
    WorkingDir: fields.string('workingDir'),
    Hostname: fields.string('hostname'),
    StopSignal: fields.string('stopSignal'),
    StopTimeout: fields.number('stopTimeout'),
    Labels: { ...labels, ...labLabels },
    Healthcheck: health ? healthcheck(health) : undefined,
    Volumes: Object.keys(volumeSettings.anonymous).length > 0 ? volumeSettings.anonymous : undefined,
    ExposedPorts: published.exposed,
    HostConfig: {
      PortBindings: published.bindings,
      // The lab engine has no default bridge: a container lives on the first network it names.
      NetworkMode: firstNetwork?.name ?? networkMode,
      RestartPolicy: { Name: restart, MaximumRetryCount: restart === 'on-failure' ? (fields.number('maxRetryCount') ?? 0) : undefined },
      Binds: volumeSettings.binds.length > 0 ? volumeSettings.binds : undefined,
      VolumesFrom: volumeSettings.from.length > 0 ? volumeSettings.from : undefined,
      Mounts: mountSettings.length > 0 ? mountSettings : undefined,
      Init: fields.boolean('init'),
      ReadonlyRootfs: fields.boolean('readOnly'),
      AutoRemove: fields.boolean('rm'),
      Tmpfs: fields.stringMap('tmpfs'),
    },
    NetworkingConfig: firstNetwork ? { EndpointsConfig: { [firstNetwork.name]: { Aliases: firstNetwork.aliases } } } : undefined,
  };
  if (restart !== 'on-failure') fields.only('maxRetryCount', [0], 'only with restart on-failure');

  const plan: ContainerPlan = {
    name,
    create,
    moreNetworks,
    uploads: uploads(fields.objects('uploads')),
    start: fields.boolean('start') ?? true,
    attach: fields.boolean('attach') ?? false,
    logs: fields.boolean('logs') ?? false,
    waitTimeoutSeconds: fields.boolean('wait') ? (fields.number('waitTimeout') ?? 60) : undefined,
  };
  if (plan.waitTimeoutSeconds === undefined) fields.only('waitTimeout', [], 'only with wait: true');
  // Read when the provider refreshes or destroys, not when it creates: lab:down removes everything it made.
  for (const key of ['mustRun', 'removeVolumes', 'destroyGraceSeconds', 'containerReadRefreshTimeoutMilliseconds']) fields.afterCreation(key);
  if (plan.attach && plan.waitTimeoutSeconds !== undefined) {
    throw new UnsupportedFieldError(`${fields.path}: attach and wait together are not supported by the lab applier`);
  }
  fields.assertAllRead();
  return plan;
}
