// The echo engine as the host knows it (engine/host/registry.ts): one process, nothing else.
import type { EngineParts } from '../api/definition.ts';

export const echoParts: EngineParts<'echo'> = {
  name: 'echo',
  load: async () => (await import('./engine.ts')).echoEngine,
};
