export { MatchingEngine } from './matchingEngine';
export { commandDefect, parseCommandLine, type ParsedCommandLine, uniformCommand } from './commandValidation';
export * from './types';
