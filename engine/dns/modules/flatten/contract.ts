// Flatten's part of the DNS contract: its config section. What it flattened is counted by the
// query log (dns.stats.flattened, see modules/querylog); it adds no stats or series of its own.
// Loads in a browser too (zod and engine/api only): engine/api/dns.ts composes it into dnsConfig
// through engine/dns/chain.ts.
import { z } from 'zod';
import { dnsModuleContract } from '../../../api/dns-module.ts';

export const flattenContract = dnsModuleContract({
  name: 'flatten',
  config: {
    flatten: z
      .object({
        names: z.array(z.string().min(1).max(255)).default([]),
        /** Also flatten every zone apex (a name the upstream answers SOA for). */
        apex: z.boolean().default(false),
        maxChain: z.number().int().min(1).max(16).default(8),
      })
      .strict()
      .prefault({}),
  },
  stats: {},
  metrics: null,
});
