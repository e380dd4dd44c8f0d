// dnstap's Prometheus series, read from dns.stats's `dnstap` section at each scrape (see ../../metrics.ts).
import type { MetricFactory } from '../../../api/metric-factory.ts';
import type { DnsStats } from '../../../api/dns.ts';

export function dnstapMetrics(metric: MetricFactory): (stats: DnsStats['dnstap']) => void {
  const messages = metric.counter(
    'signalbox_dns_dnstap_messages_total',
    'dnstap messages, by result: sent to the collector, or dropped because the queue was full.',
    ['result'],
  );
  const queued = metric.gauge('signalbox_dns_dnstap_queued', 'dnstap messages waiting for the collector.');
  const connected = metric.gauge('signalbox_dns_dnstap_connected', 'Engine processes whose Frame Streams connection to the collector is up.');
  const connections = metric.counter('signalbox_dns_dnstap_connections_total', 'Frame Streams connections that reached START (reconnects included).');
  return (stats) => {
    if (!stats) return;
    messages.set(stats.sent, { result: 'sent' });
    messages.set(stats.dropped, { result: 'dropped' });
    queued.set(stats.queued);
    connected.set(stats.connected);
    connections.set(stats.connections);
  };
}
