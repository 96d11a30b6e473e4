export * from './names';
export * from './codec';
export * from './redis';
