// The Railgun pair's Prometheus series on `serve`'s /metrics, copied from one railgun.status
// answer per scrape (engine/host/metrics.ts asks for it and leaves them out while the engine is down).
import { metricsFrom } from '../api/definition.ts';

export const railgunMetrics = metricsFrom('railgun.status', (metric) => {
  const railgun = {
    requests: metric.counter('signalbox_railgun_requests_total', 'Requests answered through the pair, by how they crossed the link.', ['base']),
    rawBytes: metric.counter('signalbox_railgun_body_bytes_total', 'Response bodies as the origin sent them.'),
    linkBytes: metric.counter('signalbox_railgun_link_body_bytes_total', 'Response bodies on the link (delta, compressed or as is).'),
    retries: metric.counter('signalbox_railgun_retries_total', 'Deltas that failed verification and were fetched again in full.'),
    errors: metric.counter(
      'signalbox_railgun_errors_total',
      'Requests that failed (a 502/504 of the pair, a 5xx of the origin), by kind: origin-refused, origin-timeout, origin-unreachable, origin-5xx, link-down, pair.',
      ['kind'],
    ),
    clientsOpen: metric.gauge('signalbox_railgun_client_connections', 'Client connections the sender serves now.'),
    clientsRefused: metric.counter(
      'signalbox_railgun_client_refusals_total',
      'Client connections and requests the sender turned away, by reason: full (maxConnections), per_address (maxConnectionsPerAddress), unanswered (closed without a 503), header_timeout, busy (bufferBytes, 503).',
      ['reason'],
    ),
    clientBodyBytes: metric.gauge('signalbox_railgun_client_body_bytes', 'Page bodies the sender holds for its clients now (within clients.bufferBytes).'),
    linkUp: metric.gauge('signalbox_railgun_link_up', 'Whether the link is up.'),
    linkRtt: metric.gauge('signalbox_railgun_link_rtt_seconds', 'The latest PING round trip of the link.'),
    reconnects: metric.counter('signalbox_railgun_link_reconnects_total', 'Times the link was opened again after it dropped.'),
  };
  return ({ totals, link, clients }) => {
    railgun.requests.set(totals.deltaHits, { base: 'hit' });
    railgun.requests.set(totals.deltaEligible - totals.deltaHits, { base: 'full' });
    railgun.requests.set(totals.requests - totals.deltaEligible, { base: 'pass' });
    railgun.rawBytes.set(totals.rawBytes);
    railgun.linkBytes.set(totals.linkBytes);
    railgun.retries.set(totals.retries);
    for (const [kind, count] of Object.entries(totals.errorsByKind)) railgun.errors.set(count, { kind });
    railgun.clientsOpen.set(clients.open);
    const refusals = {
      full: clients.refusedFull,
      per_address: clients.refusedPerAddress,
      unanswered: clients.closedUnanswered,
      header_timeout: clients.headerTimeouts,
      busy: clients.refusedBusy,
    };
    for (const [reason, count] of Object.entries(refusals)) railgun.clientsRefused.set(count, { reason });
    railgun.clientBodyBytes.set(clients.bodyBytes);
    railgun.linkUp.set(link.state === 'up' ? 1 : 0);
    if (link.rttMs !== null) railgun.linkRtt.set(link.rttMs / 1000);
    railgun.reconnects.set(link.reconnects);
  };
});
