// Railgun's promise on far origins, measured (issue 15 item 6): time to first byte (response
// headers) and to last byte, through the pair vs straight to the origin, on loopback and with a
// 50 ms one-way delay between the edge and the origin side, for a small and a large page, on a
// kept-alive connection and on a new connection per request. The link itself is always one kept
// connection: that is the point of the pair.
//
// The delay is railgun-delay-relay.ts (a userspace TCP relay: each chunk 50 ms later each way, a
// new connection joined after a 100 ms round trip), in front of the origin for "direct" and in
// front of the listener for the pair; this kernel has no sch_netem, so tc cannot delay packets.
//
//   node --import tsx test/bench/railgun-latency.bench.ts [--requests 12] [--no-results]
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { corpusPages, startCorpusOrigin, type CorpusPage } from '../engine/railgun/corpus-origin.ts';
import { startListener, startSender, testTls } from '../engine/railgun/pair.ts';
import { waitFor } from '../helpers/wait.ts';
import { commit, machineLine } from './machine.ts';
import { startDelayRelay } from './railgun-delay-relay.ts';
import { writeSection } from './results-file.ts';

const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));
const { values: options } = parseArgs({
  options: { requests: { type: 'string', default: '12' }, levels: { type: 'string', default: '19,9' }, results: { type: 'boolean', default: true } },
  allowNegative: true,
  strict: true,
});
const requests = Number(options.requests);
/** The listener's zstd levels to compare (deltaLevel = fullLevel): the default 19, and 9 for time to first byte. */
const levels = options.levels.split(',').map(Number);
const oneWayMs = 50;
const pages = corpusPages().filter((page) => page.name === 'synthetic-imprint' || page.name === 'synthetic-news-front');

interface Timing {
  ttfb: number;
  ttlb: number;
}

function timedGet(port: number, path: string, agent: http.Agent | false): Promise<Timing> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent, headers: { host: 'site.example' } }, (response) => {
        const ttfb = performance.now() - started;
        response.resume();
        response.once('end', () =>
          response.statusCode === 200 ? resolve({ ttfb, ttlb: performance.now() - started }) : reject(new Error(`${path}: ${response.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Row {
  path: string;
  level: number;
  page: CorpusPage;
  connection: 'kept' | 'new';
  direct: Timing[];
  pair: Timing[];
}

async function measure(delayMs: number, level: number): Promise<Row[]> {
  const directOrigin = await startCorpusOrigin(pages);
  const pairOrigin = await startCorpusOrigin(pages);
  const tls = await testTls();
  const listener = await startListener({ origin: pairOrigin.url, limits: { deltaLevel: level, fullLevel: level } }, tls);
  const directUrl = new URL(directOrigin.url);
  const directRelay = delayMs > 0 ? await startDelayRelay(directUrl.hostname, Number(directUrl.port), delayMs) : null;
  const linkRelay = delayMs > 0 ? await startDelayRelay('127.0.0.1', listener.port, delayMs) : null;
  const { sender, link, book } = await startSender(linkRelay?.port ?? listener.port, { origin: pairOrigin.url }, tls);
  await waitFor(() => link.state.state === 'up', 'the link');
  const directPort = directRelay?.port ?? Number(directUrl.port);
  const rows: Row[] = [];
  try {
    for (const page of pages) {
      for (const connection of ['kept', 'new'] as const) {
        const row: Row = { path: delayMs > 0 ? `${delayMs} ms one way` : 'loopback', level, page, connection, direct: [], pair: [] };
        const agents =
          connection === 'kept'
            ? [new http.Agent({ keepAlive: true, maxSockets: 1 }), new http.Agent({ keepAlive: true, maxSockets: 1 })]
            : ([false, false] as const);
        // One untimed request each: opens the kept connections, and the pair's first version (a full body).
        await timedGet(directPort, `/${page.name}`, agents[0]!);
        await timedGet(sender.port, `/${page.name}`, agents[1]!);
        for (let i = 0; i < requests; i++) {
          // Alternate which goes first, so neither always meets a warmer machine.
          const order = i % 2 === 0 ? (['direct', 'pair'] as const) : (['pair', 'direct'] as const);
          for (const which of order) {
            if (which === 'direct') row.direct.push(await timedGet(directPort, `/${page.name}`, agents[0]!));
            else row.pair.push(await timedGet(sender.port, `/${page.name}`, agents[1]!));
          }
        }
        for (const agent of agents) if (agent) agent.destroy();
        rows.push(row);
      }
    }
  } finally {
    link.stop();
    book.close();
    await Promise.all([sender.close(), listener.close(), directRelay?.close(), linkRelay?.close(), directOrigin.close(), pairOrigin.close()]);
  }
  return rows;
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
const rows: Row[] = [];
for (const level of levels) rows.push(...(await measure(0, level)), ...(await measure(oneWayMs, level)));
const table = [
  '| zstd level | path | page | client connection | direct TTFB p50 | pair TTFB p50 | direct TTLB p50 | pair TTLB p50 | direct TTLB p90 | pair TTLB p90 | pair − direct TTFB p50 |',
  '| --: | --- | --- | --- | --: | --: | --: | --: | --: | --: | --: |',
  ...rows.map((row) => {
    const [dF, pF] = [
      percentile(
        row.direct.map((t) => t.ttfb),
        50,
      ),
      percentile(
        row.pair.map((t) => t.ttfb),
        50,
      ),
    ];
    const cells = [
      String(row.level),
      row.path,
      `${row.page.name} (${Math.round(row.page.versions[1]!.length / 1024)} KiB)`,
      row.connection === 'kept' ? 'kept alive' : 'new per request',
    ];
    cells.push(
      ms(dF),
      ms(pF),
      ms(
        percentile(
          row.direct.map((t) => t.ttlb),
          50,
        ),
      ),
      ms(
        percentile(
          row.pair.map((t) => t.ttlb),
          50,
        ),
      ),
      ms(
        percentile(
          row.direct.map((t) => t.ttlb),
          90,
        ),
      ),
      ms(
        percentile(
          row.pair.map((t) => t.ttlb),
          90,
        ),
      ),
      `${pF - dF >= 0 ? '+' : ''}${ms(pF - dF)}`,
    );
    return `| ${cells.join(' | ')} |`;
  }),
].join('\n');

const markdown = `## Railgun latency (\`node --import tsx test/bench/railgun-latency.bench.ts\`)

${machineLine()}; commit ${commit()}; ${new Date().toISOString()}.
Method: sequential GETs of two synthetic pages of the corpus (each request the page's next version),
${requests} timed requests per row (after one untimed one that opens kept connections and gives the
pair its first version), straight to an origin and through the pair (in this process, deltas and
full bodies at the zstd level of the row: 19 is the default, 9 the setting for time to first byte) from a second origin replaying the same versions; which goes first
alternates. TTFB = the client's response headers, TTLB = the body's end, in ms. "50 ms one way":
railgun-delay-relay.ts, a userspace TCP relay in this process, in front of the direct origin and of
the listener's link port (the kernel has no sch_netem, so no tc netem and no veth/namespace here);
each chunk crosses 50 ms later each way, a new connection is joined after a 100 ms round trip. It
models delay only, not bandwidth or TCP slow start, so a large full body is not penalised as it
would be on a real far path. The direct origin is plain HTTP: a TLS origin would add a round trip
(TLS 1.3) per new connection that the pair's kept link does not pay.

${table}
`;
console.log(markdown);
if (options.results) writeSection(resultsFile, 'railgun-latency', markdown);
