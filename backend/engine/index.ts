export { MatchingEngine } from './matchingEngine';
export { EventBuffer } from './eventBuffer';
export { commandDefect, parseCommandLine, type ParsedCommandLine } from './commandValidation';
export * from './types';
