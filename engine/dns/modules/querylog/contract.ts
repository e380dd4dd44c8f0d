// The query log's part of the DNS contract: its config section, what its per-second traffic
// counts in dns.stats (answers by rcode, flattened answers, qps) and their Prometheus series.
// Loads in a browser too (zod and engine/api only): engine/api/dns.ts composes it into dnsConfig
// and dnsStats through engine/dns/chain.ts.
import { z } from 'zod';
import { dnsModuleContract } from '../../../api/dns-module.ts';

export const querylogContract = dnsModuleContract({
  name: 'querylog',
  config: {
    querylog: z
      .object({
        size: z.number().int().min(100).max(1_000_000).default(10_000),
        batchMs: z.number().int().min(50).max(5000).default(200),
        maxBatch: z.number().int().min(10).max(100_000).default(5000),
        /** Queries whose packets (query and answer) are kept for pcap export. */
        capture: z.number().int().min(0).max(100_000).default(2000),
      })
      .strict()
      .prefault({}),
  },
  stats: {
    /** Queries per second over the last 5 seconds. */
    qps: z.number(),
    /** Answers sent by rcode name (NOERROR, NXDOMAIN, SERVFAIL, ...). */
    rcodes: z.record(z.string(), z.number().int()),
    flattened: z.number().int(),
  },
  metrics: (metric) => {
    const responses = metric.counter('signalbox_dns_responses_total', 'Responses sent, by rcode.', ['rcode']);
    const flattened = metric.counter('signalbox_dns_flattened_total', 'Answers whose CNAME chain was flattened.');
    return (stats) => {
      for (const [rcode, count] of Object.entries(stats.rcodes)) responses.set(count, { rcode });
      flattened.set(stats.flattened);
    };
  },
});
