// RRL's part of the DNS contract: its config section, its counters in dns.stats and their
// Prometheus series. Loads in a browser too (zod and engine/api only): engine/api/dns.ts composes
// it into dnsConfig and dnsStats through engine/dns/chain.ts.
import { z } from 'zod';
import { dnsModuleContract } from '../../../api/dns-module.ts';

export const rrlContract = dnsModuleContract({
  name: 'rrl',
  config: {
    rrl: z
      .object({
        enabled: z.boolean().default(false),
        responsesPerSecond: z.number().min(0.1).max(1e6).default(5),
        nodataPerSecond: z.number().min(0).default(0),
        nxdomainsPerSecond: z.number().min(0).default(0),
        errorsPerSecond: z.number().min(0).default(0),
        allPerSecond: z.number().min(0).default(0),
        window: z.number().int().min(1).max(3600).default(5),
        slip: z.number().int().min(0).max(10).default(2),
        ipv4PrefixLength: z.number().int().min(0).max(32).default(24),
        ipv6PrefixLength: z.number().int().min(0).max(128).default(56),
        exempt: z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'write an address or a CIDR block, e.g. 10.0.0.0/8')).default([]),
        logOnly: z.boolean().default(false),
        maxAccounts: z.number().int().min(100).default(200_000),
      })
      .strict()
      .prefault({}),
  },
  stats: {
    rrl: z
      .object({
        accounts: z.number().int(),
        limited: z.record(z.string(), z.number().int()),
        slipped: z.number().int(),
        dropped: z.number().int(),
        wouldLimit: z.number().int(),
      })
      .nullable(),
  },
  metrics: (metric) => {
    const actions = metric.counter('signalbox_dns_rrl_actions_total', 'Responses rate-limited, by action.', ['action']);
    const wouldLimit = metric.counter('signalbox_dns_rrl_would_limit_total', 'Responses that would have been limited (log-only mode).');
    const accounts = metric.gauge('signalbox_dns_rrl_accounts', 'Rate-limit accounts held.');
    return ({ rrl }) => {
      if (!rrl) return;
      actions.set(rrl.slipped, { action: 'slip' });
      actions.set(rrl.dropped, { action: 'drop' });
      wouldLimit.set(rrl.wouldLimit);
      accounts.set(rrl.accounts);
    };
  },
});
