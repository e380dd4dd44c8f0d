// A TCP relay that delays every byte by a fixed time in each direction, for the Railgun latency
// bench where the kernel has no netem: each chunk is written on after `oneWayMs`, in order, and a
// new connection is joined to its target only after a round trip (SYN out, SYN-ACK back), so a
// request on a new connection costs two round trips as on a real far path. It models delay only:
// no bandwidth limit and no congestion window (the relay's kernel ACKs each side at once), so a
// large body crosses in one delay instead of the several round trips of TCP slow start.
import net, { type AddressInfo, type Socket } from 'node:net';

export interface DelayRelay {
  port: number;
  close(): Promise<void>;
}

/** Data from `from` reaches `to` `oneWayMs` later, in order; an end closes the other after the data before it. */
function delayed(from: Socket, to: Socket, oneWayMs: number): void {
  from.on('data', (chunk: Buffer) => setTimeout(() => to.destroyed || to.write(chunk), oneWayMs));
  from.once('end', () => setTimeout(() => to.end(), oneWayMs));
  from.once('error', () => setTimeout(() => to.destroy(), oneWayMs));
  from.once('close', () => setTimeout(() => to.destroyed || to.end(), oneWayMs));
}

export async function startDelayRelay(targetHost: string, targetPort: number, oneWayMs: number): Promise<DelayRelay> {
  const sockets = new Set<Socket>();
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.pause();
    // The handshake across the far path: one round trip before anything crosses.
    setTimeout(() => {
      if (client.destroyed) return;
      const target = net.connect(targetPort, targetHost, () => {
        target.setNoDelay(true);
        delayed(client, target, oneWayMs);
        delayed(target, client, oneWayMs);
        client.resume();
      });
      sockets.add(target);
      target.once('close', () => sockets.delete(target));
      target.once('error', () => client.destroy());
    }, 2 * oneWayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
