// Two connected in-memory transports, for testing RPC without processes or sockets. Messages are
// cloned and delivered asynchronously, as a real channel would.
import type { Transport } from '../../engine/host/rpc.ts';

export function transportPair(): [Transport, Transport] {
  const make = () => ({ listeners: [] as ((m: unknown) => void)[], closers: [] as (() => void)[], closed: false });
  const a = make();
  const b = make();
  const end = (self: typeof a, peer: typeof a): Transport => ({
    send(message) {
      if (self.closed) return;
      const copy = structuredClone(message);
      queueMicrotask(() => peer.listeners.forEach((listener) => listener(copy)));
    },
    onMessage: (listener) => void self.listeners.push(listener),
    onClose: (listener) => void self.closers.push(listener),
    close() {
      for (const side of [self, peer]) {
        if (side.closed) continue;
        side.closed = true;
        side.closers.forEach((closer) => closer());
      }
    },
  });
  return [end(a, b), end(b, a)];
}
