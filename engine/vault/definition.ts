// The vault as the host knows it (engine/host/registry.ts): one process.
import type { EngineParts } from '../api/definition.ts';

export const vaultParts: EngineParts<'vault'> = {
  name: 'vault',
  load: async () => (await import('./engine.ts')).vaultEngine,
};
