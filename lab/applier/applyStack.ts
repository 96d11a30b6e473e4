/**
 * Runs the Pulumi program (deployStack) under Pulumi's mocks with the lab
 * provider behind them, so every resource it registers is created on the lab
 * engine; resolves with the stack outputs once every registration is done.
 */
import * as pulumi from '@pulumi/pulumi';
import Docker from 'dockerode';
import { deployStack, StackConfig } from '../../components';
import { BackendEndpoint } from '../../components/platform';
import { Log } from '../progress';
import { LabProvider } from './labProvider';

export interface AppliedStack {
  loadBalancerUrl: string;
  backendCount: number;
  backends: BackendEndpoint[];
  engineShards: number;
  symbols: string;
  target: string;
}

export interface ApplyOptions {
  projectDir: string;
  labels: Record<string, string>;
  logDir: string;
  log: Log;
}

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

export async function applyStack(docker: Docker, config: StackConfig, options: ApplyOptions): Promise<AppliedStack> {
  const provider = new LabProvider(docker, options);
  // A failed resource rejects outputs nobody awaits; they are reported below, not as a crash.
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => provider.newResource(args),
        call: (args) => {
          throw new Error(`the lab applier does not implement the invoke ${args.token}`);
        },
      },
      'hft-stack',
      'lab',
      false,
    );
    const stack = deployStack(config);
    const outputs = Promise.all([valueOf(stack.loadBalancerUrl), valueOf(stack.backends)]);
    // Returns once no registration is in flight: every resource exists, or failed.
    await pulumi.runtime.disconnect();
    const failure = provider.errors[0] ?? rejections[0];
    if (failure !== undefined) throw failure;
    const settled = await Promise.race([outputs, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5_000))]);
    if (settled === undefined) throw new Error('the stack outputs never resolved, though no resource failed');
    const [loadBalancerUrl, backends] = settled;
    // Every output as `pulumi stack output` shows it: the two Outputs resolved, the rest as they are.
    return { ...stack, loadBalancerUrl, backends };
  } finally {
    process.off('unhandledRejection', onRejection);
  }
}
