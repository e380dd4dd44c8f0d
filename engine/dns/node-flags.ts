// Node flags the DNS engine's process starts with. A larger young generation: at 100k q/s every
// query leaves short-lived objects (context, log entry, promises), and with V8's default 16 MiB
// semi-spaces many survive a scavenge and get copied or promoted. 64 MiB cut CPU per cache hit
// ~9 % and per miss ~12 % under dnsperf (test/bench/RESULTS.md). The supervisor forks the engine's
// processes with them (under `serve` and `signalbox dns` alike).
export const dnsNodeFlags = ['--max-semi-space-size=64'];
