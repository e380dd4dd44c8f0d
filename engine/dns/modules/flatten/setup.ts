// How the chain builds flatten (engine/dns/modules.ts): from its config section, when it names
// something to flatten.
import type { DnsConfig } from '../../../api/dns.ts';
import type { ModuleSetup } from '../../modules.ts';
import { Flatten } from './flatten.ts';

export const flattenSetup: ModuleSetup<'flatten', Flatten | null, DnsConfig['flatten']> = {
  section: (config) => config.flatten,
  build: (options) => (options.names.length > 0 || options.apex ? new Flatten(options) : null),
  stats: () => ({}),
};
