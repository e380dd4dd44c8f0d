// Node flags the DNS engine's processes start with (the supervisor forks them with these, under
// `serve` and `signalbox dns` alike). Measured with test/bench (numbers in RESULTS.md):
// - A larger young generation: every query leaves short-lived objects (context, promises, log
//   entry), and with V8's default 16 MiB semi-spaces more of them survive a scavenge and get
//   copied or promoted. 64 MiB cut CPU per cache hit ~9 % and per miss ~12 %.
// - GC on the main thread alone when a process has no second core to itself. V8's parallel
//   scavenge hands work to helper threads and waits for them; on one core they only take turns
//   with the main thread, in scheduler slices of ~4 ms, and every query waits through them. Pinned
//   to one core at 10k q/s, this cut the p99 latency from 39-72 ms to 17-31 ms (interleaved runs).
export function dnsNodeFlags(coresPerProcess: number): string[] {
  return ['--max-semi-space-size=64', ...(coresPerProcess < 2 ? ['--single-threaded-gc'] : [])];
}
