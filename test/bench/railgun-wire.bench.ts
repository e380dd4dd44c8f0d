// Where the link's bytes go, per request: the corpus replayed through a pair with a wire tap on
// the link (railgun-wire.ts), every TLS record decrypted and split into HTTP/2 frames and HPACK
// blocks. Prints the mean per delta request (v001 on) and per first version, each direction.
//
//   node --import tsx test/bench/railgun-wire.bench.ts [--corpus DIR] [--pages a,b]
// (it runs itself again under --tls-keylog, so that the records can be decrypted)
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { corpusPages, corpusSource, startCorpusOrigin } from '../engine/railgun/corpus-origin.ts';
import { startListener, startSender, testTls } from '../engine/railgun/pair.ts';
import { tempDir } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { WireTap, type WireCount } from './railgun-wire.ts';

const keylogFlag = process.execArgv.find((arg) => arg.startsWith('--tls-keylog='));
if (!keylogFlag) {
  const dir = tempDir('railgun-wire');
  const result = spawnSync(process.execPath, [...process.execArgv, `--tls-keylog=${join(dir, 'keys.log')}`, ...process.argv.slice(1)], { stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
const keylog = keylogFlag.slice('--tls-keylog='.length);

const { values: options } = parseArgs({ options: { corpus: { type: 'string' }, pages: { type: 'string', default: '' } }, strict: true });

function get(url: string, agent: http.Agent): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => resolve(Buffer.concat(chunks)));
        response.once('error', reject);
      })
      .once('error', reject);
  });
}

const wanted = options.pages.split(',').filter(Boolean);
const pages = corpusPages(options.corpus).filter((page) => wanted.length === 0 || wanted.includes(page.name));
const origin = await startCorpusOrigin(pages);
const tls = await testTls();
const listener = await startListener({ origin: origin.url }, tls);
const tap = new WireTap(listener.port);
const { sender, link, book } = await startSender(await tap.listen(), { origin: origin.url }, tls);
await waitFor(() => link.state.state === 'up', 'the link to come up', 15_000);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
await get(`http://127.0.0.1:${sender.port}/warm-up`, agent);

const windows: { page: string; index: number; body: number; intact: boolean }[] = [];
for (const page of pages) {
  for (const [index, version] of page.versions.entries()) {
    tap.mark();
    const before = book.totals.linkBytes;
    const got = await get(`http://127.0.0.1:${sender.port}/${page.name}`, agent);
    windows.push({ page: page.name, index, body: book.totals.linkBytes - before, intact: got.equals(version) });
  }
}
tap.mark();
agent.destroy();
link.stop();
book.close();
await Promise.all([sender.close(), listener.close(), origin.close(), tap.close()]);

// Window 0 is the handshake and warm-up; window i+1 is request i; the last one the close.
const counted = tap.count(keylog).slice(1, windows.length + 1);
const rows = windows.map((window, i) => ({ ...window, ...counted[i]! }));
const broken = rows.filter((row) => !row.intact);
if (broken.length) throw new Error(`${broken.length} answers differed from the corpus`);

function mean(list: typeof rows, pick: (row: (typeof rows)[number]) => number): string {
  return (list.reduce((total, row) => total + pick(row), 0) / list.length).toFixed(1);
}

const kinds: [string, (count: WireCount) => number][] = [
  ['all bytes', (count) => count.bytes],
  ['TLS records (count)', (count) => count.records],
  ['TLS record overhead', (count) => count.recordOverhead],
  ['TLS content (tickets, alerts)', (count) => count.tlsContent],
  ['HTTP/2 frame headers', (count) => count.frameHeaders],
  ['HPACK header blocks', (count) => count.headerBlocks],
  ['DATA payload', (count) => count.data],
  ['control frames (PING, WINDOW_UPDATE, SETTINGS)', (count) => count.control],
];
process.stdout.write(`Corpus: ${corpusSource(options.corpus)}, ${pages.length} pages, ${rows.length} requests\n\n`);
for (const [label, list] of [
  ['deltas (v001 on)', rows.filter((row) => row.index > 0)],
  ['first versions (v000)', rows.filter((row) => row.index === 0)],
] as const) {
  process.stdout.write(`| mean per request, ${label}: ${list.length} | sender -> listener | listener -> sender | both |\n| --- | --: | --: | --: |\n`);
  for (const [name, pick] of kinds) {
    process.stdout.write(
      `| ${name} | ${mean(list, (row) => pick(row.up))} | ${mean(list, (row) => pick(row.down))} | ${mean(list, (row) => pick(row.up) + pick(row.down))} |\n`,
    );
  }
  process.stdout.write(`| of DATA: the link body (savings book) | | ${mean(list, (row) => row.body)} | |\n`);
  const frames = new Set(list.flatMap((row) => [...Object.keys(row.up.frames), ...Object.keys(row.down.frames)]));
  for (const frame of [...frames].sort())
    process.stdout.write(
      `| ${frame} frames (count) | ${mean(list, (row) => row.up.frames[frame] ?? 0)} | ${mean(list, (row) => row.down.frames[frame] ?? 0)} | |\n`,
    );
  process.stdout.write('\n');
}
const sample = rows.find((row) => row.index === 5) ?? rows[rows.length - 1]!;
process.stdout.write(
  `Literal HPACK fields of ${sample.page} v${String(sample.index).padStart(3, '0')} (bytes each, in order): request ${JSON.stringify(sample.up.literals)}, response ${JSON.stringify(sample.down.literals)}\n`,
);
