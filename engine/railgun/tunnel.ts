// Upgrades (WebSocket and the like) cross the link as an HTTP/2 CONNECT stream (RFC 9113 §8.5):
// the sender writes the client's HTTP/1.1 request head into it and the listener pipes it to the
// origin, always the configured one — the listener never connects where a request asks.
import type { IncomingMessage } from 'node:http';
import type { ClientHttp2Stream, ServerHttp2Stream } from 'node:http2';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from '../api/engine.ts';

export function openOriginTunnel(stream: ServerHttp2Stream, origin: URL, log: Logger): void {
  const port = Number(origin.port || (origin.protocol === 'https:' ? 443 : 80));
  const socket: Socket =
    origin.protocol === 'https:'
      ? tls.connect({ host: origin.hostname, port, servername: net.isIP(origin.hostname) ? undefined : origin.hostname, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: origin.hostname, port });
  socket.once(origin.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
    if (stream.closed) return socket.destroy();
    stream.respond({ ':status': 200 });
    splice(stream, socket);
  });
  socket.once('error', (err) => {
    log.warn('railgun listener: upgrade tunnel to the origin failed', { module: 'tunnel', error: err.message });
    if (!stream.headersSent && !stream.closed) stream.respond({ ':status': 502 }, { endStream: true });
    else stream.destroy();
  });
}

/** Sender side: replays the client's request head into the CONNECT stream, then splices both ways. */
export function relayUpgrade(request: IncomingMessage, client: Duplex, head: Buffer, stream: ClientHttp2Stream, forwardedFor: string): void {
  const lines = [`${request.method} ${request.url} HTTP/1.1`];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i]!.toLowerCase() !== 'x-forwarded-for') lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
  }
  lines.push(`X-Forwarded-For: ${forwardedFor}`, 'Via: 1.1 signalbox-railgun', '', '');
  stream.write(lines.join('\r\n'));
  if (head.length > 0) stream.write(head);
  splice(stream, client);
}

function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.once('close', end);
  b.once('close', end);
  a.on('error', end);
  b.on('error', end);
}
