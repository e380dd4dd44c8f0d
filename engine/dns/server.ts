// UDP and TCP listeners. UDP answers that do not fit the client's size go out as TC=1 so the
// client retries over TCP; TCP is length-prefixed and pipelined (queries on one connection are
// answered as they complete), with an idle timeout and a connection cap.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { splitHostPort } from './modules/forward/forward.ts';
import type { Answer, QueryContext } from './pipeline.ts';
import { emptyResponse, minUdpSize, parseQuery, Rcode } from './wire.ts';

/** The largest UDP answer we send whatever the client offers (DNS flag day 2020: 1232). */
export const maxUdpSize = 1232;

export interface ServerCounters {
  queries: number;
  answered: number;
  formerr: number;
  truncated: number;
}

export interface ServerOptions {
  listen: string[];
  queryTimeoutMs: number;
  tcpIdleTimeoutMs: number;
  tcpMaxConnections: number;
  resolve(ctx: QueryContext): Promise<Answer>;
}

export interface Listening {
  address: string;
  transport: 'udp' | 'tcp';
}

export class DnsServer {
  readonly counters: ServerCounters = { queries: 0, answered: 0, formerr: 0, truncated: 0 };
  readonly listening: Listening[] = [];
  private readonly options: ServerOptions;
  private readonly udp: Socket[] = [];
  private readonly tcp: Server[] = [];

  constructor(options: ServerOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    for (const address of this.options.listen) {
      const { host, port } = splitHostPort(address);
      const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      udp.on('message', (message, remote) => {
        void this.answer(message, remote.address, remote.port, 'udp').then((reply) => {
          if (reply) udp.send(reply, remote.port, remote.address);
        });
      });
      udp.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, host, () => resolve());
      });
      this.udp.push(udp);
      const bound = udp.address().port;
      this.listening.push({ address: formatAddress(host, bound), transport: 'udp' });

      const tcp = createServer({ noDelay: true }, (socket) => this.serveTcp(socket));
      tcp.maxConnections = this.options.tcpMaxConnections;
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        // Same port as UDP, so a client that got TC=1 finds us where it asked.
        tcp.listen(bound, host, () => resolve());
      });
      this.tcp.push(tcp);
      this.listening.push({ address: formatAddress(host, bound), transport: 'tcp' });
    }
  }

  private serveTcp(socket: import('node:net').Socket): void {
    let buffered = Buffer.alloc(0);
    socket.setTimeout(this.options.tcpIdleTimeoutMs, () => socket.destroy());
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = Buffer.from(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        void this.answer(message, socket.remoteAddress ?? '', socket.remotePort ?? 0, 'tcp').then((reply) => {
          if (!reply || socket.destroyed) return;
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([prefix, reply]));
        });
      }
    });
  }

  /** One query to one reply (or none); never throws. */
  private async answer(message: Buffer, address: string, port: number, transport: 'udp' | 'tcp'): Promise<Buffer | null> {
    this.counters.queries++;
    const parsed = parseQuery(message);
    if (!parsed) {
      this.counters.formerr++;
      // Too short to carry an ID: nobody to answer.
      return message.length >= 12 ? emptyResponse(message, null, Rcode.formErr) : null;
    }
    if (parsed.opcode !== 0) return emptyResponse(message, parsed, Rcode.notImp);
    const maxSize = transport === 'tcp' ? 0xffff : parsed.edns ? Math.min(parsed.edns.udpSize, maxUdpSize) : minUdpSize;
    const ctx: QueryContext = {
      query: message,
      parsed,
      client: { address, port },
      transport,
      maxSize,
      deadline: performance.now() + this.options.queryTimeoutMs,
      meta: {},
    };
    const reply = await this.options.resolve(ctx);
    if (!reply) return null;
    this.counters.answered++;
    if (reply.length > maxSize) {
      this.counters.truncated++;
      return emptyResponse(message, parsed, reply[3]! & 0xf, true);
    }
    return reply;
  }

  async stop(): Promise<void> {
    for (const socket of this.udp) socket.close();
    await Promise.all(this.tcp.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
