// The whole page corpus through a real pair, compared with the zstd CLI (a real peer, from apt):
// every page arrives byte for byte, and the deltas are as small as `zstd -19 --patch-from`'s.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { RailgunRequest } from '../../../engine/api/railgun.ts';
import { dczHeaderBytes } from '../../../engine/railgun/codec.ts';
import { corpusPages, startCorpusOrigin, type CorpusOrigin } from './corpus-origin.ts';
import { startPair, type Pair } from './pair.ts';

const run = promisify(execFile);
const pages = corpusPages();
let origin: CorpusOrigin;
let pair: Pair;

before(async () => {
  origin = await startCorpusOrigin(pages);
  pair = await startPair({ origin: origin.url });
});
after(async () => {
  await pair.close();
  await origin.close();
});

/** Size of `zstd -19 --patch-from=previous current`, as the CLI writes it. */
async function patchSize(previous: string, current: string): Promise<number> {
  const { stdout } = await run('zstd', ['-19', '-q', '-c', `--patch-from=${previous}`, current], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout.length;
}

describe('the page corpus through the pair (zstd CLI as reference)', () => {
  it('delivers every version byte for byte, with deltas within 1.15x of zstd -19 --patch-from', { timeout: 120_000 }, async () => {
    const seen: RailgunRequest[] = [];
    const unsubscribe = pair.book.subscribeRequests((batch) => seen.push(...batch.requests));
    const expected = new Map<string, number>();
    for (const page of pages) {
      for (const [index, version] of page.versions.entries()) {
        const response = await fetch(pair.url(`/${page.name}`));
        const body = Buffer.from(await response.arrayBuffer());
        assert.equal(response.status, 200);
        assert.ok(body.equals(version), `${page.name} v${index} differs from the origin's bytes`);
        assert.match(response.headers.get('signalbox-railgun') ?? '', index === 0 ? /base=none/ : /base=hit/, `${page.name} v${index}`);
      }
      let reference = 0;
      for (let i = 1; i < page.files.length; i++) reference += await patchSize(page.files[i - 1]!, page.files[i]!);
      expected.set(page.name, reference);
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    unsubscribe();

    let linkTotal = 0;
    let referenceTotal = 0;
    const report: string[] = [];
    for (const page of pages) {
      const deltas = seen.filter((request) => request.url === `/${page.name}` && request.outcome === 'hit');
      assert.equal(deltas.length, page.versions.length - 1, `${page.name}: every version after the first is a delta`);
      const link = deltas.reduce((sum, request) => sum + request.linkBytes, 0);
      // The zstd frames alone, against the CLI's output (frame + 4-byte checksum): the delta itself.
      const frames = link - deltas.length * dczHeaderBytes;
      const reference = expected.get(page.name)!;
      report.push(`${page.name}: frames ${frames} B, dcz ${link} B, zstd --patch-from ${reference} B (${(frames / reference).toFixed(3)}x)`);
      assert.ok(frames <= 1.15 * reference, `${page.name}: ${frames} B of zstd frames vs ${reference} B from zstd --patch-from`);
      linkTotal += link;
      referenceTotal += reference;
    }
    // With the 40-byte RFC 9842 header of every response, the whole corpus still stays within 1.15x.
    assert.ok(linkTotal <= 1.15 * referenceTotal, `${linkTotal} B on the link vs ${referenceTotal} B: ${report.join('; ')}`);
    assert.equal(pair.book.totals.retries, 0);
    assert.equal(pair.listener.sessions, 1, 'one link for everything');
  });
});
