// The Railgun pair as the host knows it (engine/host/registry.ts): one process, and its series.
import type { EngineParts } from '../api/definition.ts';
import { railgunMetrics } from './metrics.ts';

export const railgunParts: EngineParts<'railgun'> = {
  name: 'railgun',
  load: async () => (await import('./engine.ts')).railgunEngine,
  metrics: railgunMetrics,
};
