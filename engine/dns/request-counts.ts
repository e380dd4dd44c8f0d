// Queries counted by transport, address family and query type, the breakdown of CoreDNS's
// coredns_dns_requests_total{proto,family,type} (see metrics-aligned.ts). Counted on the hot path,
// so one typed-array increment per query: the type goes through a 64 Ki lookup table.
import type { DnsTransport } from '../api/dns.ts';

/** CoreDNS's monitored types (plugin/metrics/vars: the common ones and the meta types); the rest is "other". */
const monitoredTypes: [string, number][] = [
  ['A', 1],
  ['NS', 2],
  ['CNAME', 5],
  ['SOA', 6],
  ['PTR', 12],
  ['MX', 15],
  ['TXT', 16],
  ['AAAA', 28],
  ['SRV', 33],
  ['DS', 43],
  ['RRSIG', 46],
  ['NSEC', 47],
  ['DNSKEY', 48],
  ['NSEC3', 50],
  ['HTTPS', 65],
  ['IXFR', 251],
  ['AXFR', 252],
  ['ANY', 255],
];
const typeNames = [...monitoredTypes.map(([name]) => name), 'other'];
const otherIndex = monitoredTypes.length;
const typeIndex = new Uint8Array(0x10000).fill(otherIndex);
for (const [index, [, code]] of monitoredTypes.entries()) typeIndex[code] = index;

const transports: DnsTransport[] = ['udp', 'tcp', 'tls', 'https'];
const transportIndex: Record<DnsTransport, number> = { udp: 0, tcp: 1, tls: 2, https: 3 };

/** An IPv6 client that is not an IPv4-mapped one (a dual-stack socket's ::ffff:a.b.c.d is IPv4). */
const isIPv6 = (address: string) => address.includes(':') && !address.startsWith('::ffff:');

export class RequestCounts {
  private readonly counts = new Float64Array(transports.length * 2 * typeNames.length);

  count(transport: DnsTransport, clientAddress: string, qtype: number): void {
    this.counts[(transportIndex[transport] * 2 + (isIPv6(clientAddress) ? 1 : 0)) * typeNames.length + typeIndex[qtype]!]!++;
  }

  /** The counts that are not zero, keyed `transport/family/type` (family 4 or 6), e.g. `udp/4/A`. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    this.counts.forEach((count, at) => {
      if (count === 0) return;
      const type = at % typeNames.length;
      const rest = (at - type) / typeNames.length;
      out[`${transports[rest >> 1]}/${rest & 1 ? 6 : 4}/${typeNames[type]}`] = count;
    });
    return out;
  }
}
