// How the chain gets the query log (engine/dns/modules.ts): it outlives reloads (its ring, its
// subscribers, the per-second traffic), so the service makes it once and reconfigures it, and
// every chain takes that one.
import type { ModuleSetup } from '../../modules.ts';
import type { QueryLog } from './querylog.ts';

export const querylogSetup: ModuleSetup<'querylog', QueryLog, null> = {
  section: () => null,
  build: (_, parts) => parts.querylog,
  stats: (_, { traffic }) => ({ qps: traffic.qps(), rcodes: { ...traffic.rcodes }, flattened: traffic.flattened }),
};
