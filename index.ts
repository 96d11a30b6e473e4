import * as pulumi from '@pulumi/pulumi';
import { deployStack, readStackConfig } from './components';

const stack = deployStack(readStackConfig(new pulumi.Config()));

export const loadBalancerUrl = stack.loadBalancerUrl;
export const backendCount = stack.backendCount;
export const backends = stack.backends;
export const engineShards = stack.engineShards;
export const symbols = stack.symbols;
export const target = stack.target;
