// DNS over TLS (RFC 7858) and the TLS settings DoT and DoH share. Both listen through a plain
// net.Server, so in a worker process the listening socket is the one the cluster primary shares
// (as for TCP): an upgrade's new process accepts on the same kernel socket while the old one
// drains. Each accepted socket is handed to a tls.Server (or the HTTP/2 server of doh.ts) that
// only does the handshake; DoT then speaks the TCP framing of server.ts over it.
import { readFileSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket, type SecureContextOptions } from 'node:tls';

/** The certificate chain and key (PEM) every DoT and DoH listener presents. */
export interface TlsIdentity {
  cert: Buffer;
  key: Buffer;
}

/** TLS 1.2 at least (RFC 7858 §3.3, RFC 8484 §5 via RFC 7525); Node negotiates 1.3 first when the client has it. */
export function secureOptions(identity: TlsIdentity): SecureContextOptions {
  return { cert: identity.cert, key: identity.key, minVersion: 'TLSv1.2' };
}

/**
 * A DoT listener on `tcp` (already listening): ALPN "dot" (RFC 7858 §3.2 via the IANA
 * registration; a client offering no ALPN is served too, as knot and unbound do). `serve` gets
 * each connection once its handshake is done; a handshake must finish within `handshakeTimeoutMs`.
 */
export function dotServer(tcp: Server, identity: TlsIdentity, handshakeTimeoutMs: number, serve: (socket: TLSSocket) => void): TlsServer {
  const tls = createTlsServer({ ...secureOptions(identity), ALPNProtocols: ['dot'], handshakeTimeout: handshakeTimeoutMs }, serve);
  tls.on('tlsClientError', (_err, socket) => socket.destroy());
  tcp.on('connection', (socket: Socket) => tls.emit('connection', socket));
  return tls;
}

/** Reads the certificate and key files; an error names the file and says what to fix. */
export function readIdentity(certFile: string, keyFile: string): TlsIdentity {
  const load = (path: string, key: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw Object.assign(new Error(`dns tls.${key} ${path}: ${(err as Error).message}; give a readable PEM file (E_DNS_TLS_FILE)`), {
        code: 'E_DNS_TLS_FILE',
      });
    }
  };
  return { cert: load(certFile, 'certFile'), key: load(keyFile, 'keyFile') };
}
