// How the chain builds RRL (engine/dns/modules.ts): from its config section, when enabled.
import type { DnsConfig } from '../../../api/dns.ts';
import type { ModuleSetup } from '../../modules.ts';
import { ResponseRateLimit } from './rrl.ts';

export const rrlSetup: ModuleSetup<'rrl', ResponseRateLimit | null, DnsConfig['rrl']> = {
  section: (config) => config.rrl,
  build: ({ enabled, ...options }) => (enabled ? new ResponseRateLimit(options) : null),
  stats: (rrl) => ({ rrl: rrl?.stats() ?? null }),
};
