// The Railgun pair as the host knows it (engine/host/registry.ts): one process, its series, and
// `signalbox railgun listener|sender`.
import type { EngineParts } from '../api/definition.ts';
import { railgunMetrics } from './metrics.ts';

export const railgunParts: EngineParts<'railgun'> = {
  name: 'railgun',
  load: async () => (await import('./engine.ts')).railgunEngine,
  metrics: railgunMetrics,
  command: {
    name: 'railgun',
    usage: `  railgun listener --listen ADDR:PORT --origin URL [--cert F --key F] [--token-file F] [--config FILE]
          the origin's end of the Railgun link (HTTP/2 over TLS); without --cert a certificate is
          generated and its pin printed; without --token-file one is made in the data folder
  railgun sender --listen ADDR:PORT --link URL (--ca F | --pin sha256/...) --token-file F [--config FILE]
          the edge's end: serves HTTP clients at --listen, over the link to the listener at --link`,
    load: async () => (await import('./command.ts')).railgunCommand,
  },
};
