// steadyLoad of test/helpers/dns-load.ts in a process of its own, for the soak. The supervisor runs
// in the soak's process, and an upgrade passes the whole DNS cache through it: hundreds of ms in
// which a load in the same event loop would read no answers (counted lost) and then send a burst.
// Forked with an IPC channel ('advanced' serialization): gets { port, options }, answers
// { startedAt } and then { result }, with times in ms of the monotonic clock (process.hrtime), which
// every process on the machine shares.
import { steadyLoad, type LoadResult } from '../helpers/dns-load.ts';

export interface LoadRequest {
  port: number;
  options: Parameters<typeof steadyLoad>[1];
}

export type LoadMessage = { startedAt: number } | { result: LoadResult };

/** The monotonic clock in ms: performance.now() counts from this process's start, this from the machine's. */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

process.once('message', (request: LoadRequest) => {
  const offset = monotonicMs() - performance.now();
  const load = steadyLoad(request.port, request.options);
  process.send!({ startedAt: monotonicMs() } satisfies LoadMessage);
  void load.done.then((result) => {
    // Send times on the clock every process shares, so the soak can lay its own events over them.
    for (let i = 0; i < result.sentAtMs.length; i++) result.sentAtMs[i] = result.sentAtMs[i]! + offset;
    process.send!({ result } satisfies LoadMessage, () => process.disconnect());
  });
});
