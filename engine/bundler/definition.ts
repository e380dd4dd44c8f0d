// The bundler as the host knows it (engine/host/registry.ts): one process.
import type { EngineParts } from '../api/definition.ts';

export const bundlerParts: EngineParts<'bundler'> = {
  name: 'bundler',
  load: async () => (await import('./engine.ts')).bundlerEngine,
};
