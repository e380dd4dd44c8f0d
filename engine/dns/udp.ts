// UDP sockets for the DNS engine. dgram resolves the destination of every send through
// dns.lookup, which for an IP literal answers on the next tick: one process.nextTick per answer,
// 8 % of a cache hit's CPU under load. Every destination here is an IP literal (a client's rinfo,
// a configured upstream), so the lookup answers at once and the datagram is sent in the same tick.
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

function literalLookup(hostname: string, options: number | LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

export function udpSocket(ipv6: boolean): Socket {
  return createSocket({ type: ipv6 ? 'udp6' : 'udp4', lookup: literalLookup as never });
}
