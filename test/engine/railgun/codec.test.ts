// dcz as RFC 9842 writes it: the stock zstd CLI (a real peer, from apt) decodes our bodies with
// the base as its dictionary, since the dcz header is a zstd skippable frame.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { chooseBase, CodecError, dczHeaderBytes, frameContentSize, levelFor, sha256, zstdCodec } from '../../../engine/railgun/codec.ts';
import { formatFullHash, formatVersionIds, parseFullHash, parseVersionIds } from '../../../engine/railgun/protocol.ts';
import { tempDir } from '../../helpers/host.ts';
import { corpusPages } from './corpus-origin.ts';

const run = promisify(execFile);
const page = corpusPages().find((candidate) => candidate.name === 'httpbis-compression-dictionary')!;
const [base, next] = [page.versions[0]!, page.versions[1]!];

describe('dcz codec (zstd CLI as peer)', () => {
  it('writes RFC 9842 dcz that `zstd -d -D base` decodes to the page', async () => {
    const encoded = await zstdCodec.encodeDelta(next, base, sha256(base), 19);
    assert.deepEqual([...encoded.subarray(0, 8)], [0x5e, 0x2a, 0x4d, 0x18, 0x20, 0, 0, 0]);
    assert.ok(encoded.subarray(8, dczHeaderBytes).equals(sha256(base)));
    const dir = tempDir('dcz');
    writeFileSync(join(dir, 'base'), base);
    writeFileSync(join(dir, 'delta.dcz'), encoded);
    const { stdout } = await run('zstd', ['-d', '-q', '-c', '-D', join(dir, 'base'), join(dir, 'delta.dcz')], {
      encoding: 'buffer',
      maxBuffer: 16 * 1024 * 1024,
    });
    assert.ok(stdout.equals(next));
    assert.ok(encoded.length < next.length / 50, `a small change makes a small delta (${encoded.length} B)`);
  });

  it('decodes its own deltas and full bodies', async () => {
    const delta = await zstdCodec.encodeDelta(next, base, sha256(base), 3);
    assert.ok((await zstdCodec.decodeDelta(delta, base, sha256(base), next.length)).equals(next));
    const full = await zstdCodec.encodeFull(next, 3);
    assert.ok((await zstdCodec.decodeFull(full, next.length)).equals(next));
  });

  it('refuses a delta made against another dictionary, garbage, and output past the limit', async () => {
    const delta = await zstdCodec.encodeDelta(next, base, sha256(base), 3);
    await assert.rejects(zstdCodec.decodeDelta(delta, next, sha256(next), 1 << 24), /another dictionary/);
    await assert.rejects(zstdCodec.decodeDelta(Buffer.from('not dcz at all, not at all, no'), base, sha256(base), 1 << 24), CodecError);
    const bomb = await zstdCodec.encodeFull(Buffer.alloc(8 * 1024 * 1024), 3);
    await assert.rejects(zstdCodec.decodeFull(bomb, 1024 * 1024), CodecError);
  });

  it(
    'a large page changed at its start still finds the far bytes of its base (window over base and body), and zstd -d -D base decodes it',
    { timeout: 60_000 },
    async () => {
      // 6 MiB that do not compress: only matches into the base make the delta small. With the
      // level's own 4 MiB window the first 2 MiB of the base were out of reach.
      const largeBase = randomBytes(6 * 1024 * 1024);
      const largeNext = Buffer.concat([Buffer.from('a new first line\n'), largeBase]);
      const encoded = await zstdCodec.encodeDelta(largeNext, largeBase, sha256(largeBase), 3);
      assert.ok(encoded.length < 64 * 1024, `a 17-byte change of a 6 MiB page makes ${encoded.length} B`);
      assert.ok((await zstdCodec.decodeDelta(encoded, largeBase, sha256(largeBase), largeNext.length)).equals(largeNext));
      const dir = tempDir('dcz-large');
      writeFileSync(join(dir, 'base'), largeBase);
      writeFileSync(join(dir, 'delta.dcz'), encoded);
      const { stdout } = await run('zstd', ['-d', '-q', '-c', '-D', join(dir, 'base'), join(dir, 'delta.dcz')], {
        encoding: 'buffer',
        maxBuffer: 16 * 1024 * 1024,
      });
      assert.ok(stdout.equals(largeNext));
    },
  );

  it('codes bodies over largeBodyBytes at largeBodyLevel, the others at the configured level', () => {
    const limits = { largeBodyBytes: 512 * 1024, largeBodyLevel: 9 };
    assert.equal(levelFor(100_000, 19, limits), 19);
    assert.equal(levelFor(512 * 1024, 19, limits), 19);
    assert.equal(levelFor(512 * 1024 + 1, 19, limits), 9);
  });

  it('reads the decoded size from the zstd frame header of a full body and of a dcz body', async () => {
    const full = await zstdCodec.encodeFull(next, 19);
    assert.equal(frameContentSize(full), next.length);
    const delta = await zstdCodec.encodeDelta(next, base, sha256(base), 19);
    assert.equal(frameContentSize(delta, dczHeaderBytes), next.length);
    const large = randomBytes(600_000);
    assert.equal(frameContentSize(await zstdCodec.encodeFull(large, 1)), large.length);
    assert.equal(frameContentSize(await zstdCodec.encodeFull(Buffer.alloc(0), 3)), 0);
    assert.equal(frameContentSize(Buffer.from('not zstd at all')), null);
  });

  it('names versions on the link by the first 3 bytes of their SHA-256 (base64url, newest first), and a resend by the whole hash', () => {
    const hashes = [sha256(next), sha256(base)];
    const value = formatVersionIds(hashes);
    assert.match(value, /^[A-Za-z0-9_-]{4} [A-Za-z0-9_-]{4}$/);
    assert.deepEqual(
      parseVersionIds(value),
      hashes.map((hash) => hash.subarray(0, 3)),
    );
    assert.deepEqual(parseVersionIds(`:${hashes[0]!.toString('base64')}:`), [], 'an RFC 9842 Available-Dictionary is not an id list');
    assert.deepEqual(parseVersionIds(undefined), []);
    assert.ok(parseFullHash(formatFullHash(hashes[0]!))!.equals(hashes[0]!));
    assert.equal(parseFullHash('abcd'), null);
  });

  it('picks, of several bases, the one the page came back to; ties go to the newest', async () => {
    const other = Buffer.from(`<html><body>${'a different page altogether, nothing like the other one. '.repeat(400)}</body></html>`);
    // Newest first: the page changed to `other`, and is now back to a small change of `base`.
    const bases = [
      { body: other, name: 'newest' },
      { body: base, name: 'older' },
    ];
    assert.equal((await chooseBase(next, bases)).name, 'older');
    assert.equal(
      (
        await chooseBase(next, [
          { body: base, name: 'newest' },
          { body: Buffer.from(base), name: 'older copy' },
        ])
      ).name,
      'newest',
    );
    assert.equal((await chooseBase(next, [{ body: other, name: 'only' }])).name, 'only');
  });
});
