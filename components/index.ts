export { SharedDataTier, SharedDataTierArgs, DataTierConnection } from './sharedDataTier';
export { OrderBackendPool, OrderBackendPoolArgs } from './orderBackendPool';
export { MatchingEngine, MatchingEngineArgs } from './matchingEngine';
export { NginxBalancer, NginxBalancerArgs } from './nginxBalancer';
export { readStackConfig, StackConfig, StackConfigError, CONFIG_KEYS, Target } from './config';
export { deployStack, StackOutputs } from './program';
export { Platform, BackendEndpoint, createPlatform } from './platform';
