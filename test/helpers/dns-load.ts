// A steady DNS load from Node: queries at a fixed rate over UDP, each ID tracked, so that loss is
// counted exactly — a query is lost only if no answer came within the grace time after sending
// stopped (queries in flight at the end are waited for, not counted as lost).
import { createSocket } from 'node:dgram';
import { encodeName } from '../../engine/dns/wire.ts';

export interface LoadResult {
  sent: number;
  answered: number;
  lost: number;
  /** Answers by rcode number (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN). */
  rcodes: Record<number, number>;
  p99Ms: number;
  maxMs: number;
  /** Per query, by its number: when it was sent (performance.now() of this process, ms). */
  sentAtMs: Float64Array;
  /** Per query: how long its answer took (ms), NaN when none came (lost). */
  latencyMs: Float64Array;
}

export interface Load {
  /** Resolves when sending stopped and every answer came or the grace time passed. */
  done: Promise<LoadResult>;
}

function query(id: number, name: string): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, encodeName(name), Buffer.from([0, 1, 0, 1])]);
}

/**
 * Sends `qps` queries a second for `seconds` to 127.0.0.1:`port`: names from `names` in turn
 * (repeats: cache hits) and, every other query, a unique name under `missZone` (a miss) unless
 * `missZone` is null.
 */
export function steadyLoad(port: number, options: { qps: number; seconds: number; names: string[]; missZone: string | null; graceMs?: number }): Load {
  const total = Math.round(options.qps * options.seconds);
  // IDs are never reused within a run: one socket per 65,536 queries, so socket and ID give the
  // query's number. Large receive buffers (the kernel caps them at net.core.rmem_max): a pause of
  // this process must not drop answers, which would count as the server's loss.
  const sockets = Array.from({ length: Math.ceil(total / 0x10000) || 1 }, () => createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 }));
  const sentAtMs = new Float64Array(total);
  const latencyMs = new Float64Array(total).fill(Number.NaN);
  const latencies: number[] = [];
  const rcodes = new Map<number, number>();
  let sent = 0;
  sockets.forEach((socket, index) =>
    socket.on('message', (message) => {
      const number = index * 0x10000 + message.readUInt16BE(0);
      if (number >= sent || !Number.isNaN(latencyMs[number]!)) return;
      const latency = performance.now() - sentAtMs[number]!;
      latencyMs[number] = latency;
      latencies.push(latency);
      rcodes.set(message[3]! & 0xf, (rcodes.get(message[3]! & 0xf) ?? 0) + 1);
    }),
  );
  const started = performance.now();
  const done = new Promise<LoadResult>((resolve) => {
    // Every millisecond, send what the schedule says should have gone by now.
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.qps));
      for (; sent < due; sent++) {
        const name =
          sent % 2 === 0 || options.missZone === null
            ? options.names[Math.floor(sent / 2) % options.names.length]!
            : `u${sent}-${process.pid}.${options.missZone}`;
        sentAtMs[sent] = performance.now();
        sockets[sent >>> 16]!.send(query(sent & 0xffff, name), port, '127.0.0.1');
      }
      if (sent < total) return;
      clearInterval(timer);
      setTimeout(() => {
        for (const socket of sockets) socket.close();
        latencies.sort((a, b) => a - b);
        resolve({
          sent,
          answered: latencies.length,
          lost: sent - latencies.length,
          rcodes: Object.fromEntries(rcodes),
          p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
          maxMs: latencies[latencies.length - 1] ?? 0,
          sentAtMs,
          latencyMs,
        });
      }, options.graceMs ?? 2000);
    }, 1);
  });
  return { done };
}

export interface DelayedUpstream {
  port: number;
  close(): void;
}

/**
 * A UDP relay in front of an upstream that holds every answer for `delayMs`, as a far resolver
 * would: with it, a proxy under load always has answers pending (at 1,000 misses a second and
 * 25 ms, about 25), which is what a drain must not lose.
 */
export async function startDelayedUpstream(upstreamPort: number, delayMs: number): Promise<DelayedUpstream> {
  // Large receive buffers, as the load's: the relay stands for the network and must not drop.
  const front = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  const back = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  /** By upstream ID and client port: who asked. */
  const askers = new Map<number, { address: string; port: number }>();
  front.on('message', (message, client) => {
    askers.set(message.readUInt16BE(0) * 0x10000 + client.port, { address: client.address, port: client.port });
    back.send(message, upstreamPort, '127.0.0.1');
  });
  back.on('message', (message) => {
    const id = message.readUInt16BE(0);
    for (const [key, client] of askers) {
      if (Math.floor(key / 0x10000) !== id) continue;
      askers.delete(key);
      setTimeout(() => front.send(message, client.port, client.address), delayMs);
      return;
    }
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    close() {
      front.close();
      back.close();
    },
  };
}
