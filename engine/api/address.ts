// Network addresses as the config writes them: ADDRESS:PORT, IPv6 in brackets.
import { z } from 'zod';

/** "127.0.0.1:53" or "[::1]:53"; the port is required so that nothing is guessed. */
export const hostPort = z.string().refine(
  (value) => /^(\[[0-9a-fA-F:.]+\]|[0-9.]+):\d{1,5}$/.test(value) && Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535,
  'write it as ADDRESS:PORT with a port of 0-65535, e.g. 127.0.0.1:53 or [::1]:53',
);

/** "127.0.0.1:53" -> { host: '127.0.0.1', port: 53 }; "[::1]:53" -> { host: '::1', port: 53 }. */
export function splitHostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(value.slice(at + 1)) };
}
