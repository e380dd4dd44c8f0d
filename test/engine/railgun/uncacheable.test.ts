// Pages a CDN cannot cache (issue 15): `no-store, private` answers with Set-Cookie, personalised for
// two signed-in users, replayed from the page corpus. They get deltas like any page, each user only
// against their own versions, byte for byte; the versions go after an idle time; honourNoStore
// passes them through untouched.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sha256 } from '../../../engine/railgun/codec.ts';
import { cacheKey } from '../../../engine/railgun/http.ts';
import { waitFor } from '../../helpers/wait.ts';
import { corpusPages } from './corpus-origin.ts';
import { startPair, type Pair } from './pair.ts';

const pages = corpusPages()
  .filter((page) => page.versions.length >= 3)
  .slice(0, 3);
const users = ['alice', 'bob'] as const;

/** A user's copy of a version: the page as that user sees it signed in. */
function pageFor(user: string, version: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`<!-- signed in as ${user}; inbox of ${user} -->\n`), version]);
}

let origin: http.Server;
let originUrl: string;
/** Requests per user and page: each is answered with that user's next version. */
const served = new Map<string, number>();

before(async () => {
  const byPath = new Map(pages.map((page) => [`/${page.name}`, page]));
  origin = http.createServer((request, response) => {
    const page = byPath.get(request.url ?? '');
    const user = /session=(\w+)/.exec(String(request.headers.cookie ?? ''))?.[1];
    if (!page || !user) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('no such page\n');
    const count = served.get(`${user} ${page.name}`) ?? 0;
    served.set(`${user} ${page.name}`, count + 1);
    const body = pageFor(user, page.versions[Math.min(count, page.versions.length - 1)]!);
    response.writeHead(200, {
      'content-type': page.contentType,
      'cache-control': 'no-store, private',
      'set-cookie': `seen=${count + 1}; Path=/; HttpOnly`,
      'content-length': body.length,
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});

after(async () => {
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});

async function get(pair: Pair, user: string, path: string): Promise<{ body: Buffer; railgun: string; cacheControl: string | null; setCookie: string | null }> {
  const response = await fetch(pair.url(path), { headers: { cookie: `session=${user}` } });
  assert.equal(response.status, 200);
  return {
    body: Buffer.from(await response.arrayBuffer()),
    railgun: response.headers.get('signalbox-railgun') ?? '',
    cacheControl: response.headers.get('cache-control'),
    setCookie: response.headers.get('set-cookie'),
  };
}

describe('railgun pair: no-store and private pages (issue 15)', () => {
  it('two signed-in users on no-store, private pages: byte for byte, deltas each against their own versions only', { timeout: 60_000 }, async () => {
    served.clear();
    const pair = await startPair({ origin: originUrl });
    try {
      let raw = 0;
      let link = 0;
      for (const page of pages) {
        for (const [index, version] of page.versions.entries()) {
          for (const user of users) {
            const answer = await get(pair, user, `/${page.name}`);
            assert.ok(answer.body.equals(pageFor(user, version)), `${user} got ${page.name} v${index} as the origin made it for them`);
            assert.equal(answer.cacheControl, 'no-store, private', "the origin's caching rules reach the client");
            assert.equal(answer.setCookie, `seen=${index + 1}; Path=/; HttpOnly`);
            // Bob asks right after Alice: a base shared across users would show as a hit here.
            assert.match(answer.railgun, index === 0 ? /base=none/ : /base=hit/, `${user} ${page.name} v${index}: ${answer.railgun}`);
          }
        }
        // Each user's newest version is their own page, under their own key, on the sender.
        for (const user of users) {
          const held = pair.sender.store.newest(cacheKey(`127.0.0.1:${pair.sender.port}/${page.name}`, { cookie: `session=${user}` }, ''));
          assert.ok(held?.hash.equals(sha256(pageFor(user, page.versions.at(-1)!))), `${user}'s own last ${page.name}`);
        }
      }
      for (const url of pages.map((page) => `/${page.name}`)) {
        const entry = pair.book.urls(100).find((candidate) => candidate.url === url)!;
        raw += entry.rawBytes;
        link += entry.linkBytes;
      }
      assert.equal(pair.book.totals.retries, 0, 'no delta ever failed its check (a wrong base would)');
      assert.ok(link < 0.1 * raw, `${link} link bytes for ${raw} raw bytes: no-store pages are no longer sent whole`);
    } finally {
      await pair.close();
    }
  });

  it('drops the versions of no-store pages on both ends after noStoreIdleMs unused; the next request is a full transfer', { timeout: 30_000 }, async () => {
    served.clear();
    // Both requests must come within the idle time of each other: quick levels, so a loaded
    // machine's level-19 encode of the first page does not outlast it.
    const pair = await startPair({ origin: originUrl, noStoreIdleMs: 1500, limits: { deltaLevel: 3, fullLevel: 3 } });
    try {
      const path = `/${pages[0]!.name}`;
      await get(pair, 'alice', path);
      assert.match((await get(pair, 'alice', path)).railgun, /base=hit/);
      assert.equal(pair.sender.store.stats.keys, 1);
      await waitFor(() => pair.sender.store.stats.versions === 0 && pair.listener.store.stats.versions === 0, 'both stores to drop the idle versions');
      const after = await get(pair, 'alice', path);
      assert.match(after.railgun, /base=none/);
      assert.ok(after.body.equals(pageFor('alice', pages[0]!.versions[2]!)));
    } finally {
      await pair.close();
    }
  });

  it('honourNoStore: no-store pages stream through as they are and neither end keeps them', { timeout: 30_000 }, async () => {
    served.clear();
    const pair = await startPair({ origin: originUrl, honourNoStore: true });
    try {
      const path = `/${pages[0]!.name}`;
      for (const index of [0, 1]) {
        const answer = await get(pair, 'alice', path);
        assert.match(answer.railgun, /^base=pass/);
        assert.ok(answer.body.equals(pageFor('alice', pages[0]!.versions[index]!)));
      }
      assert.equal(pair.sender.store.stats.versions, 0);
      assert.equal(pair.listener.store.stats.versions, 0);
    } finally {
      await pair.close();
    }
  });
});
