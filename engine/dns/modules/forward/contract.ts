// Forward's part of the DNS contract: its config keys (the default pool's upstreams, policy and
// health checks, more pools, the routes that pick a pool by zone, the time one try may take), its
// per-upstream, per-pool and per-route figures in dns.stats and their Prometheus series. Loads in
// a browser too (zod and engine/api only): engine/api/dns.ts composes it into dnsConfig and
// dnsStats through engine/dns/chain.ts (the checks across keys are engine/api/dns-routing.ts's).
import { z } from 'zod';
import { dnsModuleContract } from '../../../api/dns-module.ts';
import { healthCheck, route, upstreamEntry, upstreamPolicy, upstreamPool } from '../../../api/dns-routing.ts';
import { mergedAs } from '../../../api/merge.ts';

export const forwardContract = dnsModuleContract({
  name: 'forward',
  config: {
    /**
     * The default pool. Empty: the resolvers of /etc/resolv.conf. An entry is ADDR:PORT,
     * tls://ADDR:PORT#NAME (DNS over TLS) or { address, weight, caFile, idleTimeoutMs }.
     */
    upstreams: z.array(upstreamEntry).default([]),
    policy: upstreamPolicy.default('round-robin'),
    healthCheck,
    /** More pools by name, each with its own upstreams, policy and health checks; routes send queries to them. */
    pools: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'name a pool with letters, digits, - and _ (at most 64)'), upstreamPool).default({}),
    /** Which pool answers which names: the longest zone the query name is in wins; names no route covers go to the default pool. */
    routes: z.array(route).max(10_000).default([]),
    /** How long one upstream try may take before the next upstream is tried. */
    upstreamTimeoutMs: z.number().int().min(50).max(10_000).default(1000),
  },
  stats: {
    upstreams: mergedAs(
      z.array(
        z.object({
          pool: z.string(),
          address: z.string(),
          transport: mergedAs(z.enum(['udp', 'tls']), { merge: 'same' }),
          weight: mergedAs(z.number(), { merge: 'same' }),
          enabled: mergedAs(z.boolean(), { merge: 'all' }),
          /** Healthy if any worker reaches it: workers probe on their own and may briefly disagree. */
          healthy: mergedAs(z.boolean(), { merge: 'any' }),
          sent: z.number().int(),
          answered: z.number().int(),
          timeouts: z.number().int(),
          /** Tries that failed before their timeout: a DoT connection that closed or could not be made. */
          errors: z.number().int(),
          outstanding: z.number().int(),
          latencyMs: mergedAs(z.number().nullable(), { merge: 'mean' }),
          /** DoT connections opened (each carries many queries); 0 over UDP. */
          connections: z.number().int(),
          /** Why the last DoT connection failed (e.g. its certificate is not valid for the name), until one succeeds. */
          lastError: mergedAs(z.string().nullable(), { merge: 'same' }),
        }),
      ),
      { merge: 'byKey', key: ['pool', 'address'] },
    ),
    /** Per pool: client queries routed to it (flatten's own lookups included) and how many none of its upstreams answered. */
    pools: mergedAs(
      z.array(z.object({ name: z.string(), policy: mergedAs(z.string(), { merge: 'same' }), queries: z.number().int(), failed: z.number().int() })),
      { merge: 'byKey', key: 'name' },
    ),
    /** The route table in force, longest zone first wins; the last is the root route. */
    routes: mergedAs(z.array(z.object({ zone: z.string(), pool: z.string(), cache: z.boolean(), rrl: z.boolean() })), { merge: 'same' }),
  },
  metrics: (metric) => {
    const labelNames = ['pool', 'upstream'];
    const healthy = metric.gauge('signalbox_dns_upstream_healthy', 'Whether the upstream is considered healthy.', labelNames);
    const enabled = metric.gauge('signalbox_dns_upstream_enabled', 'Whether the upstream is in rotation.', labelNames);
    const sent = metric.counter('signalbox_dns_upstream_queries_total', 'Queries sent to the upstream (probes included).', labelNames);
    const answered = metric.counter('signalbox_dns_upstream_answers_total', 'Answers received from the upstream.', labelNames);
    const timeouts = metric.counter('signalbox_dns_upstream_timeouts_total', 'Queries the upstream did not answer in time.', labelNames);
    const outstanding = metric.gauge('signalbox_dns_upstream_outstanding', 'Queries waiting for the upstream now.', labelNames);
    const latency = metric.gauge('signalbox_dns_upstream_latency_seconds', 'Smoothed answer latency of the upstream.', labelNames);
    const errors = metric.counter(
      'signalbox_dns_upstream_errors_total',
      'Tries that failed before their timeout (a DoT connection that closed or could not be made).',
      labelNames,
    );
    const connections = metric.counter('signalbox_dns_upstream_connections_total', 'DoT connections opened to the upstream.', labelNames);
    const poolQueries = metric.counter('signalbox_dns_pool_queries_total', 'Queries routed to the pool.', ['pool']);
    const poolFailed = metric.counter('signalbox_dns_pool_failures_total', "Queries none of the pool's upstreams answered in time.", ['pool']);
    const poolHealthy = metric.gauge('signalbox_dns_pool_upstreams_healthy', 'Upstreams of the pool that are enabled and healthy.', ['pool']);
    return ({ upstreams, pools }) => {
      for (const upstream of upstreams) {
        const labels = { pool: upstream.pool, upstream: upstream.address };
        healthy.set(upstream.healthy ? 1 : 0, labels);
        enabled.set(upstream.enabled ? 1 : 0, labels);
        sent.set(upstream.sent, labels);
        answered.set(upstream.answered, labels);
        timeouts.set(upstream.timeouts, labels);
        outstanding.set(upstream.outstanding, labels);
        if (upstream.latencyMs !== null) latency.set(upstream.latencyMs / 1000, labels);
        errors.set(upstream.errors, labels);
        if (upstream.transport === 'tls') connections.set(upstream.connections, labels);
      }
      for (const pool of pools) {
        const labels = { pool: pool.name };
        poolQueries.set(pool.queries, labels);
        poolFailed.set(pool.failed, labels);
        poolHealthy.set(upstreams.filter((u) => u.pool === pool.name && u.enabled && u.healthy).length, labels);
      }
    };
  },
});
