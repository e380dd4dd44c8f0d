// Forward's part of the DNS contract: its config keys (the upstreams, how one is picked, health
// checks, the time one try may take), its per-upstream counters in dns.stats and their Prometheus
// series. Loads in a browser too (zod and engine/api only): engine/api/dns.ts composes it into
// dnsConfig and dnsStats through engine/dns/chain.ts.
import { z } from 'zod';
import { hostPort } from '../../../api/address.ts';
import { dnsModuleContract } from '../../../api/dns-module.ts';
import { mergedAs } from '../../../api/merge.ts';

export const forwardContract = dnsModuleContract({
  name: 'forward',
  config: {
    /** Empty: the resolvers of /etc/resolv.conf. An entry is ADDR:PORT or { address, weight }. */
    upstreams: z.array(z.union([hostPort, z.object({ address: hostPort, weight: z.number().min(0.01).max(1000).default(1) }).strict()])).default([]),
    policy: z.enum(['round-robin', 'least-outstanding', 'weighted-random', 'first-available']).default('round-robin'),
    healthCheck: z
      .object({
        enabled: z.boolean().default(true),
        intervalMs: z.number().int().min(100).max(600_000).default(2000),
        /** Asked as NS; any answer, even REFUSED, counts as alive. */
        probeName: z.string().min(1).max(255).default('.'),
        failsToDown: z.number().int().min(1).max(100).default(3),
        successesToUp: z.number().int().min(1).max(100).default(2),
      })
      .strict()
      .prefault({}),
    /** How long one upstream try may take before the next upstream is tried. */
    upstreamTimeoutMs: z.number().int().min(50).max(10_000).default(1000),
  },
  stats: {
    upstreams: mergedAs(
      z.array(
        z.object({
          address: z.string(),
          weight: mergedAs(z.number(), { merge: 'same' }),
          enabled: mergedAs(z.boolean(), { merge: 'all' }),
          /** Healthy if any worker reaches it: workers probe on their own and may briefly disagree. */
          healthy: mergedAs(z.boolean(), { merge: 'any' }),
          sent: z.number().int(),
          answered: z.number().int(),
          timeouts: z.number().int(),
          outstanding: z.number().int(),
          latencyMs: mergedAs(z.number().nullable(), { merge: 'mean' }),
        }),
      ),
      { merge: 'byKey', key: 'address' },
    ),
  },
  metrics: (metric) => {
    const healthy = metric.gauge('signalbox_dns_upstream_healthy', 'Whether the upstream is considered healthy.', ['upstream']);
    const enabled = metric.gauge('signalbox_dns_upstream_enabled', 'Whether the upstream is in rotation.', ['upstream']);
    const sent = metric.counter('signalbox_dns_upstream_queries_total', 'Queries sent to the upstream (probes included).', ['upstream']);
    const answered = metric.counter('signalbox_dns_upstream_answers_total', 'Answers received from the upstream.', ['upstream']);
    const timeouts = metric.counter('signalbox_dns_upstream_timeouts_total', 'Queries the upstream did not answer in time.', ['upstream']);
    const outstanding = metric.gauge('signalbox_dns_upstream_outstanding', 'Queries waiting for the upstream now.', ['upstream']);
    const latency = metric.gauge('signalbox_dns_upstream_latency_seconds', 'Smoothed answer latency of the upstream.', ['upstream']);
    return ({ upstreams }) => {
      for (const upstream of upstreams) {
        const labels = { upstream: upstream.address };
        healthy.set(upstream.healthy ? 1 : 0, labels);
        enabled.set(upstream.enabled ? 1 : 0, labels);
        sent.set(upstream.sent, labels);
        answered.set(upstream.answered, labels);
        timeouts.set(upstream.timeouts, labels);
        outstanding.set(upstream.outstanding, labels);
        if (upstream.latencyMs !== null) latency.set(upstream.latencyMs / 1000, labels);
      }
    };
  },
});
