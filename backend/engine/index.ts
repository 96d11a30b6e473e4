export { MatchingEngine } from './matchingEngine';
export { commandDefect, parseCommandLine, type ParsedCommandLine } from './commandValidation';
export * from './types';
