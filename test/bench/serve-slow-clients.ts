// What `signalbox serve` keeps for API clients that do not read (not a timed test): the built serve
// process with its echo engine, clients that stop reading and send echo calls whose answers pile
// up. Phase 1: 10 clients asking 1,500 answers of 32 KiB each (47 MiB a client, far more than
// the kernel buffers of a connection hold). Phase 2: 1,000 clients, 40 answers of 16 KiB each. Measured:
// the serve process's resident memory (VmRSS; the peak is VmHWM, reset before each phase), what
// the host counts as unread (/metrics), and how many clients it closed. Writes the
// "serve-slow-clients" section of test/bench/RESULTS.md. Run: npm run build, then
// node --import tsx test/bench/serve-slow-clients.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/host.ts';
import { pausedApiClient, sendEchoCalls } from '../helpers/raw-websocket.ts';
import { startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { commit, loadAverage, machineLine } from './machine.ts';
import { writeSection } from './results-file.ts';

const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));
const MiB = 1024 * 1024;

function memoryKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))![1]);
}

/** Writing 5 to clear_refs resets the peak resident size (proc(5)). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

async function apiSeries(served: ServeProcess): Promise<{ connections: number; unread: number; slowClosed: number }> {
  // A new connection for each scrape (agent: false): a kept-alive one may be closed by serve meanwhile.
  const text = await new Promise<string>((resolve, reject) => {
    get({ host: '127.0.0.1', port: served.port, path: '/metrics', agent: false, headers: { Authorization: `Bearer ${served.token}` } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1] ?? NaN);
  return { connections: value('signalbox_api_connections'), unread: value('signalbox_api_unread_bytes'), slowClosed: value('signalbox_api_slow_closed_total') };
}

/**
 * Waits until the clients' calls have stopped going out (what their sockets flushed has not grown
 * for `quietMs`: the host no longer reads them) and the host's unread count has not moved either;
 * returns the largest unread count seen.
 */
async function settle(served: ServeProcess, sockets: Socket[], quietMs = 3000): Promise<number> {
  let last = '';
  let since = Date.now();
  let peak = 0;
  for (;;) {
    const { unread } = await apiSeries(served);
    const written = sockets.reduce((total, socket) => total + socket.bytesWritten, 0);
    peak = Math.max(peak, unread);
    const now = `${written}/${unread}`;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return peak;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface PhaseResult {
  clients: number;
  answerBytes: number;
  baseMiB: number;
  stalledMiB: number;
  peakMiB: number;
  afterMiB: number;
  unreadPeakMiB: number;
  slowClosed: number;
  seconds: number;
}

async function phase(served: ServeProcess, clients: number, calls: number, textBytes: number): Promise<PhaseResult> {
  const pid = served.child.pid!;
  const started = performance.now();
  const baseMiB = memoryKiB(pid, 'VmRSS') / 1024;
  const closedBefore = (await apiSeries(served)).slowClosed;
  resetPeak(pid);
  const sockets: Socket[] = [];
  // Connected in batches so the accept queue is not what is measured.
  for (let i = 0; i < clients; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => pausedApiClient(served.port, served.token)));
    sockets.push(...batch);
  }
  // The sends stall once the host stops reading these clients: not awaited.
  for (const socket of sockets) void sendEchoCalls(socket, calls, textBytes);
  const unreadPeak = await settle(served, sockets);
  const { slowClosed } = await apiSeries(served);
  const stalledMiB = memoryKiB(pid, 'VmRSS') / 1024;
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const peakMiB = memoryKiB(pid, 'VmHWM') / 1024;
  return {
    clients,
    answerBytes: clients * calls * textBytes,
    baseMiB,
    stalledMiB,
    peakMiB,
    afterMiB: memoryKiB(pid, 'VmRSS') / 1024,
    unreadPeakMiB: unreadPeak / MiB,
    slowClosed: slowClosed - closedBefore,
    seconds: (performance.now() - started) / 1000,
  };
}

const loadStart = loadAverage();
const served = await startServeProcess(['--data-dir', tempDir('bench-serve')]);
const perConnection = await phase(served, 10, 1500, 32 * 1024);
const flood = await phase(served, 1000, 40, 16 * 1024);
const after = await apiSeries(served);
await stopProcess(served.child);

const row = (name: string, r: PhaseResult) =>
  `| ${name} | ${r.clients} | ${(r.answerBytes / MiB).toFixed(0)} MiB | ${r.baseMiB.toFixed(0)} | ${r.stalledMiB.toFixed(0)} | ${r.peakMiB.toFixed(0)} | +${(r.peakMiB - r.baseMiB).toFixed(0)} (${(((r.peakMiB - r.baseMiB) * 1024) / r.clients).toFixed(0)} KiB a client) | ${r.unreadPeakMiB.toFixed(1)} | ${r.afterMiB.toFixed(0)} | ${r.slowClosed} | ${r.seconds.toFixed(0)} |`;

writeSection(
  resultsFile,
  'serve-slow-clients',
  `## Security bounds: serve (\`node --import tsx test/bench/serve-slow-clients.ts\`)

${machineLine()}; ${commit()}; load ${loadStart.toFixed(2)} at start, ${loadAverage().toFixed(2)} at end.
The built \`signalbox serve\` (echo engine only); clients that stop reading after the handshake and
send echo calls whose answers are as large as the call. RSS is the serve process alone (its
engines are other processes); "stalled" = once the flood stalled (the host reads no more), with
every client still connected; peak = VmHWM over the phase (reset before it); "after" is 6 s after
every client closed. Unread = the host's own count (\`signalbox_api_unread_bytes\`), largest seen; the flood stalls
once the host stops reading the clients (backpressure), and is measured when that count has not
moved for 3 s.
Bounds as counted (engine/host/README.md): a connection 8 MiB + one message + 256 KiB of answers and
16 calls / 1 MiB being served; all of them 256 MiB unread and 64 MiB of calls being served.

| phase | clients | answers asked for | RSS before (MiB) | stalled (MiB) | peak (MiB) | growth | unread peak (MiB) | after (MiB) | closed for not reading | s |
|---|---:|---:|---:|---:|---:|---|---:|---:|---|---:|
${row('10 clients, 47 MiB asked each', perConnection)}
${row('1,000 clients, 640 KiB asked each', flood)}

At the end: ${after.connections} API connections, ${after.unread} bytes unread, ${after.slowClosed} connections closed for not reading.`,
);
console.log(readFileSync(resultsFile, 'utf8').split('<!-- serve-slow-clients:begin -->')[1]!.split('<!-- serve-slow-clients:end -->')[0]);
