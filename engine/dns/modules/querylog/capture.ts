// The packets of the last queries, kept for the console's packet drawer and for pcap export. Bounded
// by count and by bytes; the oldest go first. Packets are kept by reference, not copied (a copy per
// query showed in the hit path's cost): the server hands over a fresh buffer per datagram or TCP
// message and modules build answers in new buffers, so nothing writes to them afterwards.
import type { QueryLogEntry } from '../../../api/dns.ts';

export interface Endpoint {
  address: string;
  port: number;
}

export interface CapturedExchange {
  entry: QueryLogEntry;
  client: Endpoint;
  server: Endpoint;
  query: Buffer;
  /** What was sent back, null when nothing was (a dropped query). */
  reply: Buffer | null;
  /** When the answer went out, ms since the epoch. */
  answeredAt: number;
}

/** Capture memory at most, whatever the count: a TCP answer can be 64 KiB. */
const maxCaptureBytes = 32 * 1024 * 1024;

export class PacketCapture {
  private size: number;
  private readonly ring: CapturedExchange[] = [];
  private bytes = 0;

  constructor(size: number) {
    this.size = size;
  }

  record(exchange: CapturedExchange): void {
    if (this.size === 0) return;
    this.ring.push(exchange);
    this.bytes += exchangeBytes(exchange);
    this.trim();
  }

  /** The exchange whose query-log entry has this sequence number, if still kept. */
  get(seq: number): CapturedExchange | undefined {
    // Entries are in sequence order: binary search.
    let low = 0;
    let high = this.ring.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const found = this.ring[middle]!;
      if (found.entry.seq === seq) return found;
      if (found.entry.seq < seq) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** The newest `limit` exchanges (at most the configured size), oldest first. */
  last(limit: number): CapturedExchange[] {
    return this.ring.slice(-Math.min(limit, this.size));
  }

  resize(size: number): void {
    this.size = size;
    this.trim();
  }

  private trim(): void {
    // Trimmed in chunks (an eighth of the size over it) so that the array is not shifted per query.
    if (this.ring.length <= this.size + (this.size >> 3) && this.bytes <= maxCaptureBytes) return;
    let drop = Math.max(0, this.ring.length - this.size);
    let freed = 0;
    for (let i = 0; i < drop; i++) freed += exchangeBytes(this.ring[i]!);
    while (drop < this.ring.length && this.bytes - freed > maxCaptureBytes * 0.9) freed += exchangeBytes(this.ring[drop++]!);
    this.ring.splice(0, drop);
    this.bytes -= freed;
  }
}

const exchangeBytes = (exchange: CapturedExchange) => exchange.query.length + (exchange.reply?.length ?? 0);
