// What a delta costs on the link beyond its dcz body (link protocol 2, README "The link
// protocol"): TLS records, HTTP/2 frames, header blocks and the body's digest, both ways. Counted
// on the link socket (bytes are exact, not timed); the fewest over a few requests, since a PING
// may fall into any one of them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startPair, type Pair } from './pair.ts';

let origin: http.Server;
let pair: Pair;
let version = 0;
/** /rotating: a page that alternates between two layouts (a banner on, off, on...), its counter changing each time. */
let rotations = 0;
const layouts = [0, 1].map(() => `<p>${randomBytes(6000).toString('base64')}</p>`);
const paragraph = '<p>a paragraph that stays the same from one version to the next</p>';

before(async () => {
  origin = http.createServer((request, response) => {
    const rotating = request.url === '/rotating';
    const count = rotating ? ++rotations : ++version;
    const content = rotating ? layouts[count % 2]! : paragraph.repeat(200);
    const body = `<html><body><p>version ${count}</p>${content}</body></html>`;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private, max-age=0' }).end(body);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  pair = await startPair({ origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` });
});
after(async () => {
  await pair.close();
  origin.closeAllConnections();
  origin.close();
});

async function get(path: string): Promise<{ railgun: string; body: string }> {
  const response = await fetch(pair.url(path));
  return { railgun: response.headers.get('signalbox-railgun') ?? '', body: await response.text() };
}

describe('railgun link bytes', () => {
  it('a small delta costs at most 140 bytes of the TLS socket beyond its dcz body, both ways (short version id, binary digest, compact report)', async () => {
    await get('/news/front-page');
    const overheads: number[] = [];
    for (let i = 0; i < 6; i++) {
      const socketBefore = pair.link.state.socketBytesSent + pair.link.state.socketBytesReceived;
      const bodyBefore = pair.book.totals.linkBytes;
      const { railgun, body } = await get('/news/front-page');
      assert.match(railgun, /base=hit/);
      assert.match(body, new RegExp(`version ${version}<`));
      overheads.push(pair.link.state.socketBytesSent + pair.link.state.socketBytesReceived - socketBefore - (pair.book.totals.linkBytes - bodyBefore));
    }
    // Link protocol 1 spent 169-172 B here (an RFC 9842 Available-Dictionary and the digest as
    // base64 text, a verbose report, a length header); 2 spends 106 B: TLS 1.3 records 2 x 22,
    // HTTP/2 frame headers 3 x 9, the 32-byte digest, the version id, the report, indexed fields.
    assert.ok(Math.min(...overheads) <= 140, `bytes beyond the dcz body per delta: ${overheads.join(', ')}`);
  });

  it('a page that comes back to an earlier state is coded against that version: the sender names every version it holds, the listener picks the base', async () => {
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = pair.book.totals.linkBytes;
      const { railgun, body } = await get('/rotating');
      assert.match(body, new RegExp(`version ${rotations}<`));
      if (i >= 2) assert.match(railgun, /base=hit/);
      sizes.push(pair.book.totals.linkBytes - before);
    }
    // Requests 3 and 4 are the layouts of requests 1 and 2 (8 KB that do not compress) with a new
    // counter: against the version before (the other layout) a delta is ~6 KB; against the one
    // before that, tens of bytes.
    assert.ok(sizes[2]! < 200 && sizes[3]! < 200, `link bodies of the four requests: ${sizes.join(', ')} B`);
  });
});
