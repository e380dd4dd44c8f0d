// A listener and a sender joined as in production (one pinned HTTP/2 TLS link, a token), built
// piece by piece so a test can put a cuttable TCP relay on the link or a faulty codec in an end.
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Logger } from '../../../engine/api/engine.ts';
import { railgunClients, railgunLimits, type RailgunClients, type RailgunLimits } from '../../../engine/api/railgun.ts';
import type { Codec } from '../../../engine/railgun/codec.ts';
import { Link } from '../../../engine/railgun/link.ts';
import { Listener } from '../../../engine/railgun/listener.ts';
import { SavingsBook } from '../../../engine/railgun/savings.ts';
import { Sender } from '../../../engine/railgun/sender.ts';
import type { SharedVersions } from '../../../engine/railgun/shared-store.ts';
import { generateCertificate, spkiPin, type TlsMaterial } from '../../../engine/railgun/tls.ts';
import { quietLog } from '../../helpers/host.ts';

let sharedTls: Promise<TlsMaterial> | undefined;
/** One certificate for all tests of a file: RSA key generation is the slow part. */
export function testTls(): Promise<TlsMaterial> {
  sharedTls ??= generateCertificate(['127.0.0.1', 'localhost']);
  return sharedTls;
}

/** A TCP relay in the middle of the link that a test can cut (and a bench can watch: `observe`). */
export class Relay {
  readonly #server: net.Server;
  readonly #sockets = new Set<Socket>();
  constructor(target: number, observe?: (client: Socket, upstream: Socket) => void) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(target, '127.0.0.1');
      observe?.(client, upstream);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as AddressInfo).port;
  }
  /** Drops every connection at once, as a network failure would (no TLS close, no GOAWAY). */
  cut(): void {
    for (const socket of this.#sockets) socket.resetAndDestroy();
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

export interface PairOptions {
  origin: string;
  limits?: Partial<RailgunLimits>;
  clients?: Partial<RailgunClients>;
  listenerCodec?: Codec;
  /** Put a cuttable relay between the ends. */
  relay?: boolean;
  token?: string;
  senderToken?: string;
  pin?: string;
  /** Reuse this listener port (a restarted listener). */
  listenerPort?: number;
  linkWaitMs?: number;
  /** Where the sender logs (quiet when left out). */
  senderLog?: Logger;
  honourNoStore?: boolean;
  noStoreIdleMs?: number;
  /** The listener's wait for an origin response. */
  originTimeoutMs?: number;
  /** The sender's versions shared through Redis. */
  shared?: SharedVersions;
}

export interface Pair {
  listener: Listener;
  sender: Sender;
  link: Link;
  book: SavingsBook;
  relay: Relay | null;
  url(path: string): string;
  close(): Promise<void>;
}

export async function startListener(options: PairOptions, tls: TlsMaterial): Promise<Listener> {
  return Listener.start({
    host: '127.0.0.1',
    port: options.listenerPort ?? 0,
    origin: new URL(options.origin),
    tls,
    token: options.token ?? 'test-token-0123456789abcdef',
    limits: railgunLimits.parse(options.limits ?? {}),
    log: quietLog,
    ...(options.listenerCodec ? { codec: options.listenerCodec } : {}),
    ...(options.honourNoStore !== undefined ? { honourNoStore: options.honourNoStore } : {}),
    ...(options.noStoreIdleMs !== undefined ? { noStoreIdleMs: options.noStoreIdleMs } : {}),
    ...(options.originTimeoutMs !== undefined ? { originTimeoutMs: options.originTimeoutMs } : {}),
  });
}

export async function startSender(listenerPort: number, options: PairOptions, tls: TlsMaterial): Promise<{ sender: Sender; link: Link; book: SavingsBook }> {
  const book = new SavingsBook();
  const link = new Link({
    url: new URL(`https://127.0.0.1:${listenerPort}`),
    token: options.senderToken ?? options.token ?? 'test-token-0123456789abcdef',
    pin: options.pin ?? spkiPin(tls.cert),
    keepaliveMs: 1000,
    log: quietLog,
  });
  link.start();
  const sender = await Sender.start({
    host: '127.0.0.1',
    port: 0,
    link,
    limits: railgunLimits.parse(options.limits ?? {}),
    clients: railgunClients.parse(options.clients ?? {}),
    book,
    log: options.senderLog ?? quietLog,
    linkWaitMs: options.linkWaitMs ?? 3000,
    ...(options.noStoreIdleMs !== undefined ? { noStoreIdleMs: options.noStoreIdleMs } : {}),
    ...(options.shared ? { shared: options.shared } : {}),
  });
  return { sender, link, book };
}

export async function startPair(options: PairOptions): Promise<Pair> {
  const tls = await testTls();
  const listener = await startListener(options, tls);
  const relay = options.relay ? new Relay(listener.port) : null;
  const linkPort = relay ? await relay.listen() : listener.port;
  const { sender, link, book } = await startSender(linkPort, options, tls);
  return {
    listener,
    sender,
    link,
    book,
    relay,
    url: (path) => `http://127.0.0.1:${sender.port}${path}`,
    async close() {
      link.stop();
      book.close();
      await Promise.all([sender.close(), listener.close(), relay?.close()]);
    },
  };
}
