// A real recursive upstream for DNS tests: unbound (from apt) on 127.0.0.1, serving local data and
// asking Knot (stub zones) for the rest. Unlike Knot it serves what an authoritative server
// refuses, such as a CNAME at a zone apex next to the SOA.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './host.ts';
import { startDnsPeer } from './dns-peer-process.ts';
import { freePort } from './knot.ts';

export interface UnboundOptions {
  /** local-zone: name -> type (static, transparent, ...). */
  localZones?: Record<string, string>;
  /** local-data records, one in zone file form each: "apex.test. 45 IN CNAME www.example.test." */
  localData?: string[];
  /** Zones unbound asks an authoritative server on 127.0.0.1 for (a Knot of knot.ts). */
  stubZones?: { name: string; port: number }[];
  /** Also listen for DNS over TLS (RFC 7858) on this port of 127.0.0.1 with this certificate and key. */
  tls?: { port: number; certFile: string; keyFile: string };
  /** How long unbound keeps an idle TCP or TLS connection open (its default: 30 s). */
  tcpIdleTimeoutMs?: number;
}

export interface Unbound {
  port: number;
  /** The DoT port, when `tls` was asked for. */
  tlsPort?: number;
  stop(): Promise<void>;
}

/** Starts unbound in the foreground; a fresh port is retried when another process took it meanwhile. */
export async function startUnbound(options: UnboundOptions = {}): Promise<Unbound> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startUnboundOnce(await freePort(), options);
    } catch (err) {
      if (attempt >= 3 || !/already in use|can't bind/i.test(String(err))) throw err;
    }
  }
}

const quote = (value: string) => `"${value.replace(/"/g, '\\"')}"`;

async function startUnboundOnce(port: number, options: UnboundOptions): Promise<Unbound> {
  const dir = tempDir('unbound');
  const lines = [
    'server:',
    `  interface: 127.0.0.1@${port}`,
    ...(options.tls
      ? [
          `  interface: 127.0.0.1@${options.tls.port}`,
          `  tls-port: ${options.tls.port}`,
          `  tls-service-key: ${quote(options.tls.keyFile)}`,
          `  tls-service-pem: ${quote(options.tls.certFile)}`,
        ]
      : []),
    ...(options.tcpIdleTimeoutMs === undefined ? [] : [`  tcp-idle-timeout: ${options.tcpIdleTimeoutMs}`]),
    '  do-daemonize: no',
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 0',
    '  username: ""',
    '  chroot: ""',
    `  directory: ${quote(dir)}`,
    '  pidfile: ""',
    '  do-ip6: no',
    '  num-threads: 1',
    // Two servers sharing one port would split the test's queries between them.
    '  so-reuseport: no',
    '  access-control: 127.0.0.0/8 allow',
    // Stub zones point at 127.0.0.1, which unbound refuses to ask by default.
    '  do-not-query-localhost: no',
    // test. is one of unbound's default local zones (RFC 6761): let our zones under it through.
    '  local-zone: "test." nodefault',
    ...Object.entries(options.localZones ?? {}).map(([name, type]) => `  local-zone: ${quote(name)} ${type}`),
    ...(options.localData ?? []).map((record) => `  local-data: ${quote(record)}`),
    ...(options.stubZones ?? []).flatMap(({ name, port: stubPort }) => ['stub-zone:', `  name: ${quote(name)}`, `  stub-addr: 127.0.0.1@${stubPort}`]),
    'remote-control:',
    '  control-enable: no',
    '',
  ];
  writeFileSync(join(dir, 'unbound.conf'), lines.join('\n'));
  // localhost is one of unbound's built-in local zones: it answers without any upstream.
  const { stop } = await startDnsPeer('unbound', ['-d', '-c', join(dir, 'unbound.conf')], { port, query: ['localhost', 'A'], timeoutMs: 10_000 });
  return { port, ...(options.tls ? { tlsPort: options.tls.port } : {}), stop };
}
