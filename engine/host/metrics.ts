// Prometheus text for `serve`'s /metrics: the engines' state from the supervisor and the DNS and
// Railgun engines' counters. Engine counters live in the engine processes, so each scrape asks for one
// fresh snapshot and copies it into prom-client's registry; scrapes run one at a time.
import { Counter, Gauge, Registry } from 'prom-client';
import type { DnsStats } from '../api/dns.ts';
import type { RailgunStatus } from '../api/railgun.ts';
import type { Host } from './host.ts';
import type { SendBudget } from './transports/send-queue.ts';

type Labels = Record<string, string>;

export interface Metrics {
  readonly contentType: string;
  render(): Promise<string>;
}

/** `api`: what `serve`'s API connections hold, when the host serves them. */
export function createMetrics(host: Host, api?: SendBudget): Metrics {
  // Two registries: the DNS series are left out entirely while the engine is down, rather than
  // showing zeros a scraper would take for a counter reset.
  const hostRegistry = new Registry();
  const dnsRegistry = new Registry();
  const railgunRegistry = new Registry();
  const on = (registry: Registry) => ({
    gauge: (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] }),
    counter: (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] }),
  });
  const hostMetric = on(hostRegistry);
  const dnsMetric = on(dnsRegistry);
  const railgunMetric = on(railgunRegistry);

  const engine = {
    up: hostMetric.gauge('signalbox_engine_up', 'Whether the engine process is running (1) or not (0).', ['engine']),
    restarts: hostMetric.counter('signalbox_engine_restarts_total', 'Engine process restarts since the host started.', ['engine']),
    rss: hostMetric.gauge('signalbox_engine_resident_memory_bytes', 'Resident memory of the engine process.', ['engine']),
  };
  const apiSeries = api && {
    connections: hostMetric.gauge('signalbox_api_connections', 'Open API (WebSocket) connections.'),
    unread: hostMetric.gauge('signalbox_api_unread_bytes', 'Bytes of answers and events the API clients have not read yet, all connections together.'),
    slowClosed: hostMetric.counter('signalbox_api_slow_closed_total', 'API connections closed because their client did not read (1008, 1013).'),
  };
  const dns = {
    queries: dnsMetric.counter('signalbox_dns_queries_total', 'Queries received.'),
    responses: dnsMetric.counter('signalbox_dns_responses_total', 'Responses sent, by rcode.', ['rcode']),
    truncated: dnsMetric.counter('signalbox_dns_truncated_total', 'UDP responses sent truncated (TC=1) because they did not fit.'),
    moduleErrors: dnsMetric.counter('signalbox_dns_module_errors_total', 'Queries answered SERVFAIL because a module failed.', ['module']),
    flattened: dnsMetric.counter('signalbox_dns_flattened_total', 'Answers whose CNAME chain was flattened.'),
    cacheLookups: dnsMetric.counter('signalbox_dns_cache_lookups_total', 'Cache lookups by result.', ['result']),
    cachePrefetches: dnsMetric.counter('signalbox_dns_cache_prefetches_total', 'Background refreshes of popular entries before they expired, by result.', ['result']),
    cacheEntries: dnsMetric.gauge('signalbox_dns_cache_entries', 'Entries in the cache.'),
    cacheBytes: dnsMetric.gauge('signalbox_dns_cache_bytes', 'Bytes of answers in the cache.'),
    rrlActions: dnsMetric.counter('signalbox_dns_rrl_actions_total', 'Responses rate-limited, by action.', ['action']),
    rrlWouldLimit: dnsMetric.counter('signalbox_dns_rrl_would_limit_total', 'Responses that would have been limited (log-only mode).'),
    rrlAccounts: dnsMetric.gauge('signalbox_dns_rrl_accounts', 'Rate-limit accounts held.'),
    upstreamHealthy: dnsMetric.gauge('signalbox_dns_upstream_healthy', 'Whether the upstream is considered healthy.', ['upstream']),
    upstreamEnabled: dnsMetric.gauge('signalbox_dns_upstream_enabled', 'Whether the upstream is in rotation.', ['upstream']),
    upstreamSent: dnsMetric.counter('signalbox_dns_upstream_queries_total', 'Queries sent to the upstream (probes included).', ['upstream']),
    upstreamAnswered: dnsMetric.counter('signalbox_dns_upstream_answers_total', 'Answers received from the upstream.', ['upstream']),
    upstreamTimeouts: dnsMetric.counter('signalbox_dns_upstream_timeouts_total', 'Queries the upstream did not answer in time.', ['upstream']),
    upstreamOutstanding: dnsMetric.gauge('signalbox_dns_upstream_outstanding', 'Queries waiting for the upstream now.', ['upstream']),
    upstreamLatency: dnsMetric.gauge('signalbox_dns_upstream_latency_seconds', 'Smoothed answer latency of the upstream.', ['upstream']),
  };

  const railgun = {
    requests: railgunMetric.counter('signalbox_railgun_requests_total', 'Requests answered through the pair, by how they crossed the link.', ['base']),
    rawBytes: railgunMetric.counter('signalbox_railgun_body_bytes_total', 'Response bodies as the origin sent them.'),
    linkBytes: railgunMetric.counter('signalbox_railgun_link_body_bytes_total', 'Response bodies on the link (delta, compressed or as is).'),
    retries: railgunMetric.counter('signalbox_railgun_retries_total', 'Deltas that failed verification and were fetched again in full.'),
    errors: railgunMetric.counter('signalbox_railgun_errors_total', 'Requests that failed (a 502/504 of the pair, a 5xx of the origin), by kind: origin-refused, origin-timeout, origin-unreachable, origin-5xx, link-down, pair.', ['kind']),
    clientsOpen: railgunMetric.gauge('signalbox_railgun_client_connections', 'Client connections the sender serves now.'),
    clientsRefused: railgunMetric.counter('signalbox_railgun_client_refusals_total', 'Client connections and requests the sender turned away, by reason: full (maxConnections), per_address (maxConnectionsPerAddress), unanswered (closed without a 503), header_timeout, busy (bufferBytes, 503).', ['reason']),
    clientBodyBytes: railgunMetric.gauge('signalbox_railgun_client_body_bytes', 'Page bodies the sender holds for its clients now (within clients.bufferBytes).'),
    linkUp: railgunMetric.gauge('signalbox_railgun_link_up', 'Whether the link is up.'),
    linkRtt: railgunMetric.gauge('signalbox_railgun_link_rtt_seconds', 'The latest PING round trip of the link.'),
    reconnects: railgunMetric.counter('signalbox_railgun_link_reconnects_total', 'Times the link was opened again after it dropped.'),
  };

  function copyRailgun(status: RailgunStatus): void {
    const { totals, link } = status;
    setCounter(railgun.requests, totals.deltaHits, { base: 'hit' });
    setCounter(railgun.requests, totals.deltaEligible - totals.deltaHits, { base: 'full' });
    setCounter(railgun.requests, totals.requests - totals.deltaEligible, { base: 'pass' });
    setCounter(railgun.rawBytes, totals.rawBytes);
    setCounter(railgun.linkBytes, totals.linkBytes);
    setCounter(railgun.retries, totals.retries);
    for (const [kind, count] of Object.entries(totals.errorsByKind)) setCounter(railgun.errors, count, { kind });
    const { clients } = status;
    railgun.clientsOpen.set(clients.open);
    const refusals = { full: clients.refusedFull, per_address: clients.refusedPerAddress, unanswered: clients.closedUnanswered, header_timeout: clients.headerTimeouts, busy: clients.refusedBusy };
    for (const [reason, count] of Object.entries(refusals)) setCounter(railgun.clientsRefused, count, { reason });
    railgun.clientBodyBytes.set(clients.bodyBytes);
    railgun.linkUp.set(link.state === 'up' ? 1 : 0);
    if (link.rttMs !== null) railgun.linkRtt.set(link.rttMs / 1000);
    setCounter(railgun.reconnects, link.reconnects);
  }

  /** A counter set to a total kept in the engine (the registry was reset before this scrape). */
  const setCounter = (metric: Counter, value: number, labels?: Labels) => (labels ? metric.inc(labels, value) : metric.inc(value));

  function copyDns(stats: DnsStats): void {
    setCounter(dns.queries, stats.queries);
    for (const [rcode, count] of Object.entries(stats.rcodes)) setCounter(dns.responses, count, { rcode });
    setCounter(dns.truncated, stats.truncated);
    for (const [module, count] of Object.entries(stats.moduleErrors)) setCounter(dns.moduleErrors, count, { module });
    setCounter(dns.flattened, stats.flattened);
    if (stats.cache) {
      setCounter(dns.cacheLookups, stats.cache.hits, { result: 'hit' });
      setCounter(dns.cacheLookups, stats.cache.misses, { result: 'miss' });
      setCounter(dns.cacheLookups, stats.cache.stale, { result: 'stale' });
      setCounter(dns.cachePrefetches, stats.cache.prefetched - stats.cache.prefetchFailed, { result: 'ok' });
      setCounter(dns.cachePrefetches, stats.cache.prefetchFailed, { result: 'failed' });
      dns.cacheEntries.set(stats.cache.entries);
      dns.cacheBytes.set(stats.cache.bytes);
    }
    if (stats.rrl) {
      setCounter(dns.rrlActions, stats.rrl.slipped, { action: 'slip' });
      setCounter(dns.rrlActions, stats.rrl.dropped, { action: 'drop' });
      setCounter(dns.rrlWouldLimit, stats.rrl.wouldLimit);
      dns.rrlAccounts.set(stats.rrl.accounts);
    }
    for (const upstream of stats.upstreams) {
      const labels = { upstream: upstream.address };
      dns.upstreamHealthy.set(labels, upstream.healthy ? 1 : 0);
      dns.upstreamEnabled.set(labels, upstream.enabled ? 1 : 0);
      setCounter(dns.upstreamSent, upstream.sent, labels);
      setCounter(dns.upstreamAnswered, upstream.answered, labels);
      setCounter(dns.upstreamTimeouts, upstream.timeouts, labels);
      dns.upstreamOutstanding.set(labels, upstream.outstanding);
      if (upstream.latencyMs !== null) dns.upstreamLatency.set(labels, upstream.latencyMs / 1000);
    }
  }

  async function scrape(): Promise<string> {
    // Series of a stopped engine or a removed upstream must disappear, not freeze.
    hostRegistry.resetMetrics();
    dnsRegistry.resetMetrics();
    railgunRegistry.resetMetrics();
    const { engines } = host.supervisor.snapshot();
    for (const state of engines) {
      engine.up.set({ engine: state.name }, state.status === 'running' ? 1 : 0);
      setCounter(engine.restarts, state.restarts, { engine: state.name });
      if (state.rssBytes !== null) engine.rss.set({ engine: state.name }, state.rssBytes);
    }
    if (api && apiSeries) {
      apiSeries.connections.set(api.connections);
      apiSeries.unread.set(api.unreadBytes);
      setCounter(apiSeries.slowClosed, api.slowClosed);
    }
    const text = [await hostRegistry.metrics()];
    const running = (name: string) => engines.some((state) => state.name === name && state.status === 'running');
    // An engine that does not answer now leaves its series out of this scrape; `up` says why.
    if (running('dns')) {
      const stats = await host.router.call('dns.stats', {}).catch(() => null);
      if (stats) {
        copyDns(stats as DnsStats);
        text.push(await dnsRegistry.metrics());
      }
    }
    if (running('railgun')) {
      const status = await host.router.call('railgun.status', {}).catch(() => null);
      if (status) {
        copyRailgun(status as RailgunStatus);
        text.push(await railgunRegistry.metrics());
      }
    }
    return text.join('\n');
  }

  let queue: Promise<unknown> = Promise.resolve();
  return {
    contentType: hostRegistry.contentType,
    render() {
      const next = queue.then(scrape);
      queue = next.catch(() => {});
      return next;
    },
  };
}
