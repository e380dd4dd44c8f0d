// The Railgun pair's Prometheus series on `serve`'s /metrics, copied from one railgun.status
// answer per scrape (engine/host/metrics.ts asks for it and leaves them out while the engine is down).
import { metricsFrom } from '../api/definition.ts';

export const railgunMetrics = metricsFrom('railgun.status', (metric) => {
  const railgun = {
    requests: metric.counter('signalbox_railgun_requests_total', 'Requests answered through the pair, by how they crossed the link.', ['base']),
    rawBytes: metric.counter('signalbox_railgun_body_bytes_total', 'Response bodies as the origin sent them.'),
    linkBytes: metric.counter('signalbox_railgun_link_body_bytes_total', 'Response bodies on the link (delta, compressed or as is).'),
    retries: metric.counter('signalbox_railgun_retries_total', 'Deltas that failed verification and were fetched again in full.'),
    errors: metric.counter('signalbox_railgun_errors_total', 'Requests answered 502/504 by the pair.'),
    linkUp: metric.gauge('signalbox_railgun_link_up', 'Whether the link is up.'),
    linkRtt: metric.gauge('signalbox_railgun_link_rtt_seconds', 'The latest PING round trip of the link.'),
    reconnects: metric.counter('signalbox_railgun_link_reconnects_total', 'Times the link was opened again after it dropped.'),
  };
  return ({ totals, link }) => {
    railgun.requests.set(totals.deltaHits, { base: 'hit' });
    railgun.requests.set(totals.deltaEligible - totals.deltaHits, { base: 'full' });
    railgun.requests.set(totals.requests - totals.deltaEligible, { base: 'pass' });
    railgun.rawBytes.set(totals.rawBytes);
    railgun.linkBytes.set(totals.linkBytes);
    railgun.retries.set(totals.retries);
    railgun.errors.set(totals.errors);
    railgun.linkUp.set(link.state === 'up' ? 1 : 0);
    if (link.rttMs !== null) railgun.linkRtt.set(link.rttMs / 1000);
    railgun.reconnects.set(link.reconnects);
  };
});
