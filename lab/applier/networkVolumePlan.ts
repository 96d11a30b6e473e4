/** docker:index/network:Network and docker:index/volume:Volume inputs → Engine API create requests. Pure. */
import Docker from 'dockerode';
import { Fields } from './fields';

function labelList(fields: Fields): Record<string, string> {
  return Object.fromEntries(
    fields.objects('labels').map((label) => {
      const pair = [label.requiredString('label'), label.string('value') ?? ''];
      label.assertAllRead();
      return pair;
    }),
  );
}

export function planNetwork(resourceName: string, inputs: Record<string, unknown>, labLabels: Record<string, string>): Docker.NetworkCreateOptions {
  const fields = new Fields(inputs, `docker:index/network:Network ${resourceName}`);
  const plan: Docker.NetworkCreateOptions = {
    Name: fields.requiredString('name'),
    Driver: fields.string('driver') ?? 'bridge',
    Internal: fields.boolean('internal'),
    Attachable: fields.boolean('attachable'),
    Options: fields.stringMap('options'),
    Labels: { ...labelList(fields), ...labLabels },
    CheckDuplicate: true,
  };
  fields.assertAllRead();
  return plan;
}

export function planVolume(resourceName: string, inputs: Record<string, unknown>, labLabels: Record<string, string>): Docker.VolumeCreateOptions {
  const fields = new Fields(inputs, `docker:index/volume:Volume ${resourceName}`);
  const plan: Docker.VolumeCreateOptions = {
    Name: fields.requiredString('name'),
    Driver: fields.string('driver') ?? 'local',
    DriverOpts: fields.stringMap('driverOpts'),
    Labels: { ...labelList(fields), ...labLabels },
  };
  fields.assertAllRead();
  return plan;
}
