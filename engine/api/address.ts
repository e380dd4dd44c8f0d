// Network addresses as the config writes them: ADDRESS:PORT, IPv6 in brackets.
import { z } from 'zod';

/** "127.0.0.1:53" or "[::1]:53"; the port is required so that nothing is guessed. */
export const hostPort = z
  .string()
  .refine(
    (value) => /^(\[[0-9a-fA-F:.]+\]|[0-9.]+):\d{1,5}$/.test(value) && Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535,
    'write it as ADDRESS:PORT with a port of 0-65535, e.g. 127.0.0.1:53 or [::1]:53',
  );

/** "127.0.0.1:53" -> { host: '127.0.0.1', port: 53 }; "[::1]:53" -> { host: '::1', port: 53 }. */
export function splitHostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(value.slice(at + 1)) };
}

export interface ListenSpec {
  transport: 'plain' | 'tls' | 'https';
  /** ADDRESS:PORT, as hostPort writes it. */
  address: string;
  /** The DoH path ("/dns-query"); empty for the others. */
  path: string;
}

/** "tls://127.0.0.1:853" -> { transport: 'tls', address: '127.0.0.1:853', path: '' }; null when malformed. */
export function parseListen(value: string): ListenSpec | null {
  const match = /^(?:(tls|https):\/\/)?(\[[0-9a-fA-F:.]+\]:\d{1,5}|[0-9.]+:\d{1,5})(\/[^?#\s]*)?$/.exec(value);
  if (!match || !hostPort.safeParse(match[2]).success) return null;
  const transport = (match[1] ?? 'plain') as ListenSpec['transport'];
  // DoH needs its path (RFC 8484 §3: the URI template); DoT and plain DNS have none.
  if ((transport === 'https') !== (match[3] !== undefined)) return null;
  return { transport, address: match[2]!, path: match[3] ?? '' };
}

/** A DNS listener: ADDR:PORT (UDP and TCP), tls://ADDR:PORT (DoT) or https://ADDR:PORT/PATH (DoH). */
export const listenAddress = z
  .string()
  .refine(
    (value) => parseListen(value) !== null,
    'write it as ADDRESS:PORT, tls://ADDRESS:PORT or https://ADDRESS:PORT/PATH, e.g. 127.0.0.1:53, tls://127.0.0.1:853, https://127.0.0.1:443/dns-query',
  );
