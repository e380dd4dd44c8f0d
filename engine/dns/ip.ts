// IP address text to its parts, for what keys on a client's address (RRL networks, cookies).
import { isIPv4 } from 'node:net';

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d, as a dual-stack socket reports it) as its IPv4 text; others unchanged. */
export const unmapped = (address: string): string => (address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address);

/** The eight 16-bit groups of an IPv6 address (a zone index is ignored). */
export function expandIPv6(address: string): number[] {
  const [head, tail] = address.split('%')[0]!.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16) || 0) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array(Math.max(0, 8 - left.length - right.length)).fill(0), ...right].slice(0, 8);
}

/** The address in network byte order: 4 bytes for IPv4 (mapped ones too), 16 for IPv6. */
export function addressBytes(address: string): Uint8Array {
  const plain = unmapped(address);
  if (isIPv4(plain)) return Uint8Array.from(plain.split('.').map(Number));
  const out = new Uint8Array(16);
  expandIPv6(plain).forEach((group, i) => {
    out[2 * i] = group >>> 8;
    out[2 * i + 1] = group & 0xff;
  });
  return out;
}
