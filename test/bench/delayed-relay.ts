// The relay of test/helpers/dns-load.ts (holds every upstream answer for a while) as a process of
// its own, for the soak: at 10k q/s it would otherwise share the load generator's event loop, and
// its work would show as the load's latency.
// Run: node --import tsx test/bench/delayed-relay.ts UPSTREAM_PORT DELAY_MS   (prints its port)
import { startDelayedUpstream } from '../helpers/dns-load.ts';

const [upstreamPort, delayMs] = process.argv.slice(2).map(Number);
if (!Number.isInteger(upstreamPort) || !Number.isFinite(delayMs)) {
  process.stderr.write(
    `delayed-relay: "${process.argv.slice(2).join(' ')}" — run it as: node --import tsx test/bench/delayed-relay.ts UPSTREAM_PORT DELAY_MS\n`,
  );
  process.exit(2);
}
const relay = await startDelayedUpstream(upstreamPort!, delayMs!);
process.stdout.write(`${relay.port}\n`);
