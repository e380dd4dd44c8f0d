// The corpus replay of the Railgun bench: every version of every page fetched twice, once straight
// from an origin and once through the pair (from a second origin that replays the same versions),
// one request at a time, timed to the last byte. What the pair did for each request is read from
// the savings book and the link's socket counters around it, which works because nothing else
// crosses the link meanwhile (but a keepalive PING, which is small).
import http from 'node:http';
import type { Link } from '../../engine/railgun/link.ts';
import type { SavingsBook } from '../../engine/railgun/savings.ts';
import type { CorpusPage } from '../engine/railgun/corpus-origin.ts';

/** Where the two paths start: each origin replays the corpus on its own, so both serve version N together. */
export interface Route {
  /** The origin, reached without the pair (e.g. http://127.0.0.1:PORT). */
  direct: string;
  /** The sender, in front of the other origin. */
  pair: string;
  book: SavingsBook;
  link: Link;
}

export interface Exchange {
  page: string;
  index: number;
  /** Time to last byte, request to the end of the body. */
  directMs: number;
  pairMs: number;
  /** `base=` of the sender's `signalbox-railgun` header: hit (a delta), none (no version held yet), miss, pass. */
  base: string | null;
  /** The listener's own fetch from the origin (`origin-ms` of that header). */
  originMs: number | null;
  /** The listener's encoding and the sender's decoding of this request (the savings book). */
  encodeMs: number;
  decodeMs: number;
  /** Body bytes on the link (delta or full) and TLS socket bytes both ways, for this request. */
  linkBytes: number;
  socketBytes: number;
  /** Both answers were this version of the corpus, byte for byte. */
  intact: boolean;
}

interface Got {
  ms: number;
  status: number;
  body: Buffer;
  railgun: string | undefined;
}

const requestTimeoutMs = 30_000;

function timedGet(url: string, agent: http.Agent): Promise<Got> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get(url, { agent, timeout: requestTimeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        const railgun = response.headers['signalbox-railgun'];
        resolve({
          ms: performance.now() - started,
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks),
          railgun: typeof railgun === 'string' ? railgun : undefined,
        });
      });
    });
    request.once('timeout', () => request.destroy(new Error(`${url}: no complete answer within ${requestTimeoutMs} ms`)));
    request.once('error', reject);
  });
}

function headerField(header: string | undefined, name: string): string | null {
  return (
    header
      ?.split(';')
      .map((part) => part.trim().split('='))
      .find(([key]) => key === name)?.[1] ?? null
  );
}

const socketBytes = (link: Link) => link.state.socketBytesSent + link.state.socketBytesReceived;

export class Replay {
  // One keep-alive connection per path, as a browser reusing its connection would.
  readonly #directAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  readonly #pairAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly route: Route;

  constructor(route: Route) {
    this.route = route;
  }

  /** Opens both keep-alive connections (and the listener's to its origin) with a path the origins answer 404. */
  async connect(): Promise<void> {
    await timedGet(`${this.route.direct}/warm-up`, this.#directAgent);
    await timedGet(`${this.route.pair}/warm-up`, this.#pairAgent);
  }

  /** The first `limit` versions of each page (all when left out), pages one after another. */
  async run(pages: CorpusPage[], limit = Infinity, progress: (page: string) => void = () => undefined): Promise<Exchange[]> {
    const exchanges: Exchange[] = [];
    for (const page of pages) {
      progress(page.name);
      for (const [index, version] of page.versions.slice(0, limit).entries()) {
        exchanges.push(await this.#exchange(page, index, version));
      }
    }
    return exchanges;
  }

  close(): void {
    this.#directAgent.destroy();
    this.#pairAgent.destroy();
  }

  async #exchange(page: CorpusPage, index: number, version: Buffer): Promise<Exchange> {
    const { book, link } = this.route;
    const direct = () => timedGet(`${this.route.direct}/${page.name}`, this.#directAgent);
    const pair = async () => {
      const before = { ...book.totals, socket: socketBytes(link) };
      const got = await timedGet(`${this.route.pair}/${page.name}`, this.#pairAgent);
      return {
        got,
        encodeMs: book.totals.encodeMs - before.encodeMs,
        decodeMs: book.totals.decodeMs - before.decodeMs,
        linkBytes: book.totals.linkBytes - before.linkBytes,
        socketBytes: socketBytes(link) - before.socket,
      };
    };
    // Alternate which path goes first, so neither always finds the other's garbage or a warmer cache.
    let viaDirect: Got;
    let viaPair: Awaited<ReturnType<typeof pair>>;
    if (index % 2 === 0) {
      viaDirect = await direct();
      viaPair = await pair();
    } else {
      viaPair = await pair();
      viaDirect = await direct();
    }
    const { got, ...counted } = viaPair;
    const originMs = headerField(got.railgun, 'origin-ms');
    return {
      page: page.name,
      index,
      directMs: viaDirect.ms,
      pairMs: got.ms,
      base: headerField(got.railgun, 'base'),
      originMs: originMs === null ? null : Number(originMs),
      ...counted,
      intact: viaDirect.status === 200 && got.status === 200 && viaDirect.body.equals(version) && got.body.equals(version),
    };
  }
}
