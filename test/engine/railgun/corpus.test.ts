// The whole page corpus through a real pair, compared with the zstd CLI (a real peer, from apt):
// every page arrives byte for byte, and the deltas are as small as `zstd -19 --patch-from`'s —
// at the CLI's level 19, and within 1.15x at the default level 9.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { railgunLimits, type RailgunRequest } from '../../../engine/api/railgun.ts';
import { dczHeaderBytes } from '../../../engine/railgun/codec.ts';
import { corpusPages, startCorpusOrigin, type CorpusOrigin, type CorpusPage } from './corpus-origin.ts';
import { startPair } from './pair.ts';

const run = promisify(execFile);
const pages = corpusPages();
/** Per page, the summed size of `zstd -19 --patch-from` of each version against the one before. */
const reference = new Map<string, number>();

before(async () => {
  for (const page of pages) {
    let total = 0;
    for (let i = 1; i < page.files.length; i++) {
      const { stdout } = await run('zstd', ['-19', '-q', '-c', `--patch-from=${page.files[i - 1]}`, page.files[i]!], {
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
      });
      total += stdout.length;
    }
    reference.set(page.name, total);
  }
});

interface Replayed {
  page: CorpusPage;
  /** dcz bodies of the deltas (v001 on), RFC 9842 header included. */
  link: number;
  /** The zstd frames alone: what compares with the CLI's output. */
  frames: number;
}

/** Replays every page through a fresh pair and checks each body; the link bytes of the deltas per page. */
async function replay(deltaLevel: number): Promise<Replayed[]> {
  const origin: CorpusOrigin = await startCorpusOrigin(pages);
  const pair = await startPair({ origin: origin.url, limits: { deltaLevel } });
  const seen: RailgunRequest[] = [];
  const unsubscribe = pair.book.subscribeRequests((batch) => seen.push(...batch.requests));
  try {
    for (const page of pages) {
      for (const [index, version] of page.versions.entries()) {
        const response = await fetch(pair.url(`/${page.name}`));
        const body = Buffer.from(await response.arrayBuffer());
        assert.equal(response.status, 200);
        assert.ok(body.equals(version), `${page.name} v${index} differs from the origin's bytes`);
        assert.match(response.headers.get('signalbox-railgun') ?? '', index === 0 ? /base=none/ : /base=hit/, `${page.name} v${index}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(pair.book.totals.retries, 0);
    assert.equal(pair.listener.sessions, 1, 'one link for everything');
  } finally {
    unsubscribe();
    await pair.close();
    await origin.close();
  }
  return pages.map((page) => {
    const deltas = seen.filter((request) => request.url === `/${page.name}` && request.outcome === 'hit');
    assert.equal(deltas.length, page.versions.length - 1, `${page.name}: every version after the first is a delta`);
    const link = deltas.reduce((sum, request) => sum + request.linkBytes, 0);
    return { page, link, frames: link - deltas.length * dczHeaderBytes };
  });
}

function framesWithin(replayed: Replayed[], factor: number): void {
  for (const { page, frames } of replayed) {
    const cli = reference.get(page.name)!;
    assert.ok(frames <= factor * cli, `${page.name}: ${frames} B of zstd frames vs ${cli} B from zstd --patch-from (${(frames / cli).toFixed(3)}x)`);
  }
}

describe('the page corpus through the pair (zstd CLI as reference)', () => {
  it('at level 19 as the CLI: every page byte for byte, deltas the size of zstd -19 --patch-from', { timeout: 120_000 }, async () => {
    const replayed = await replay(19);
    // The zstd frames (the CLI's output carries a 4-byte checksum ours leaves out).
    framesWithin(replayed, 1.02);
    // With the 40-byte RFC 9842 header of every response, the whole corpus still stays within 1.15x.
    const link = replayed.reduce((sum, page) => sum + page.link, 0);
    const cli = [...reference.values()].reduce((sum, bytes) => sum + bytes, 0);
    assert.ok(link <= 1.15 * cli, `${link} B on the link vs ${cli} B`);
  });

  it(
    'at level 9 (the setting for time to first byte): every page byte for byte, deltas within 1.15x of zstd -19 --patch-from',
    { timeout: 120_000 },
    async () => {
      assert.equal(railgunLimits.parse({}).deltaLevel, 19, 'the default is the CLI level of the test above');
      framesWithin(await replay(9), 1.15);
    },
  );
});
