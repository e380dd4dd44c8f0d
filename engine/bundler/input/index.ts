// The Bundler's input: uploads in, certificates, keys and problems out. See README.md.
export { readUploads, defaultLimits } from './read.ts';
export { readUploadsOffThread } from './offthread.ts';
export { matchKey, type KeyMatch } from './match.ts';
export { problemKinds, type InputProblem, type ProblemName } from './problems.ts';
export type { KeyFacts, KeyType } from './keys.ts';
export type { Duplicate, InputCertificate, InputKey, InputResult, ReadLimits, Upload } from './types.ts';
