// Security bounds of the Railgun sender (issue 22 item 4): its memory under 1,000 clients that ask
// for an 8 MB text page and never read it. The listener and the sender each run in a process of
// their own (railgun-slow-end.ts), the origin and the clients in this one; the sender's memory is
// taken after a full GC: before the clients, with all of them stalled, and after they left.
// Scenarios: every client on one page (one user), every client its own page (1,000 users), and the
// same with the code before the fix (--old-root, a checkout of it; fewer clients, it needs 8 MB each).
// Writes the railgun-slow-clients section of test/bench/RESULTS.md (keeping its commentary).
//
//   node --import tsx test/bench/railgun-slow-clients.bench.ts [--clients 1000] [--old-root DIR --old-clients 60] [--no-results]
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateToken } from '../../engine/railgun/tls.ts';
import { tempDir } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { commit, machineLine } from './machine.ts';
import type { EndRequest, Measured, Started } from './railgun-slow-end.ts';
import { writeSection } from './results-file.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));
const { values: options } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    'old-root': { type: 'string', default: '' },
    'old-clients': { type: 'string', default: '60' },
    results: { type: 'boolean', default: true },
  },
  allowNegative: true,
  strict: true,
});

const pageBytes = 8_000_000;
/** Clients connect from 127.0.0.1-8, as many addresses share an edge: 125 each, under the per-address cap. */
const clientAddresses = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);
/** Requests in flight while the clients connect (each makes the listener fetch and encode 8 MB). */
const connectConcurrency = 16;
const MiB = 1024 * 1024;

function pageOf(user: string): Buffer {
  const page = Buffer.alloc(pageBytes, `<p>${user}: railgun slow clients ${'x'.repeat(40)}</p>\n`);
  page.write(`<!doctype html><title>${user}</title>\n`);
  return page;
}

const commonPage = pageOf('everyone');
const origin = http.createServer((request, response) => {
  const user = /user=(\w+)/.exec(String(request.headers.cookie ?? ''))?.[1] ?? 'everyone';
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private' }).end(user === 'everyone' ? commonPage : pageOf(user));
});
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
const dir = tempDir('railgun-slow');
const tokenFile = join(dir, 'link-token');
writeFileSync(tokenFile, `${generateToken()}\n`, { mode: 0o600 });

interface End {
  child: ChildProcess;
  started: Started['started'];
  measure(): Promise<Measured>;
  stop(): Promise<void>;
}

async function startEnd(codeRoot: string, config: Record<string, unknown>): Promise<End> {
  const child = fork(fileURLToPath(new URL('railgun-slow-end.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (message) => resolve(message as T));
      child.once('exit', (code) => reject(new Error(`the end exited with ${code}`)));
    });
  const started = next<Started>();
  child.send({ root: codeRoot, config } satisfies EndRequest);
  return {
    child,
    started: (await started).started,
    measure: () => {
      const measured = next<Measured>();
      child.send('measure');
      return measured;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      child.kill();
    },
  };
}

/** Asks for the page as `user` and reads nothing after the first bytes; resolves with the status. */
function slowClient(port: number, user: string, index: number, sockets: Socket[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: clientAddresses[index % clientAddresses.length] });
    sockets.push(socket);
    socket.on('error', reject);
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      resolve(Number(chunk.toString('latin1', 9, 12)));
    });
    socket.write(`GET /page HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: user=${user}\r\n\r\n`);
  });
}

interface Row {
  scenario: string;
  clients: number;
  statuses: Map<number, number>;
  before: Measured;
  stalled: Measured;
  after: Measured;
  seconds: number;
}

async function scenario(
  name: string,
  codeRoot: string,
  clients: number,
  userOf: (index: number) => string,
  senderClients: Record<string, unknown> | null,
): Promise<Row> {
  const started = performance.now();
  const listener = await startEnd(codeRoot, { role: 'listener', enabled: true, origin: originUrl, linkListen: '127.0.0.1:0', tokenFile });
  const sender = await startEnd(codeRoot, {
    role: 'sender',
    enabled: true,
    listen: '127.0.0.1:0',
    link: `https://127.0.0.1:${listener.started.linkPort}`,
    pin: listener.started.pin,
    tokenFile,
    ...(senderClients ? { clients: senderClients } : {}),
  });
  const sockets: Socket[] = [];
  try {
    const port = sender.started.senderPort!;
    // Warm: the sender holds a version, so the one-user clients get deltas as they would.
    await slowClient(port, userOf(0), 0, sockets);
    sockets.pop()!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = await sender.measure();
    const statuses = new Map<number, number>();
    let nextIndex = 0;
    await Promise.all(
      Array.from({ length: connectConcurrency }, async () => {
        while (nextIndex < clients) {
          const index = nextIndex++;
          const status = await slowClient(port, userOf(index), index, sockets);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    // Let the last answers fill their sockets before measuring.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const stalled = await sender.measure();
    for (const socket of sockets) socket.destroy();
    await waitFor(
      async () => {
        const now = await sender.measure();
        return !now.clients || (now.clients.open === 0 && now.clients.bodyBytes === 0);
      },
      'the sender to let go of the clients',
      30_000,
      500,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await sender.measure();
    return { scenario: name, clients, statuses, before, stalled, after, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const socket of sockets) socket.destroy();
    await sender.stop();
    await listener.stop();
  }
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const clients = Number(options.clients);
const rows: Row[] = [];
// Behind the bench's 8 addresses every client fits the per-address cap; the limits are the defaults.
rows.push(await scenario('one page, one user (fixed)', root, clients, () => 'everyone', null));
rows.push(await scenario('a page per user (fixed)', root, clients, (index) => `u${index}`, null));
if (options['old-root']) {
  const oldClients = Number(options['old-clients']);
  rows.push(await scenario('one page, one user (before the fix)', options['old-root'], oldClients, () => 'everyone', null));
  rows.push(await scenario('a page per user (before the fix)', options['old-root'], oldClients, (index) => `u${index}`, null));
}
origin.close();

const table = [
  '| scenario | clients | answers | sender RSS before / stalled / after (MiB) | array buffers before / stalled / after (MiB) | per client, RSS (KiB) | bodyBytes stalled (MiB) | bufferedBytes stalled (KiB) | per client, buffered (KiB) |',
  '|---|---:|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((row) => {
    const served = row.clients;
    const perClientRss = (row.stalled.memory.rss - row.before.memory.rss) / served / 1024;
    const answers = [...row.statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${count} x ${status}`)
      .join(', ');
    const c = row.stalled.clients;
    return `| ${row.scenario} | ${row.clients} | ${answers} | ${mib(row.before.memory.rss)} / ${mib(row.stalled.memory.rss)} / ${mib(row.after.memory.rss)} | ${mib(row.before.memory.arrayBuffers)} / ${mib(row.stalled.memory.arrayBuffers)} / ${mib(row.after.memory.arrayBuffers)} | ${perClientRss.toFixed(0)} | ${c ? mib(c.bodyBytes!) : 'n/a'} | ${c ? (c.bufferedBytes! / 1024).toFixed(0) : 'n/a'} | ${c ? (c.bufferedBytes! / 1024 / served).toFixed(1) : 'n/a'} |`;
  }),
].join('\n');

const markdown = `## Security bounds: Railgun sender (\`node --import tsx test/bench/railgun-slow-clients.bench.ts\`)

Issue 22 item 4: clients that ask for an 8,000,000-byte text page and never read it. ${machineLine()}; ${commit()}; ${new Date().toISOString()}.
The listener and the sender run in processes of their own (sender memory after a full GC), the
origin and the clients in the bench's process; clients connect from 127.0.0.1-8 (under the
per-address cap), 16 at a time, each pausing its socket after the first bytes. Sender limits are
the defaults (\`clients.bufferBytes\` 256 MiB, \`storeBytes\` 256 MiB). "before the fix" is the code
at ${options['old-root'] ? 'the checkout given with --old-root' : '(not run)'}.

${table}

Bound: sender memory <= storeBytes + clients.bufferBytes + ~128 KiB per connection (socket
high-water mark 64 KiB + one 64 KiB slice); a page the store holds and clients are sent is one
buffer counted in both. Run took ${rows.map((row) => `${row.seconds.toFixed(0)} s`).join(', ')}.
`;
console.log(markdown);
if (options.results) writeSection(resultsFile, 'railgun-slow-clients', markdown);
