import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheKey, compressesOnLink, endToEnd, isDeltaRequest, isDeltaResponse } from '../../../engine/railgun/http.ts';

describe('railgun HTTP rules', () => {
  it('keys versions by credentials and by the headers the response varies on', () => {
    const alice = cacheKey('/inbox', { cookie: 'session=alice' }, '');
    assert.notEqual(alice, cacheKey('/inbox', { cookie: 'session=bob' }, ''));
    assert.notEqual(cacheKey('/inbox', { authorization: 'Bearer a' }, ''), cacheKey('/inbox', { authorization: 'Bearer b' }, ''));
    assert.equal(alice, cacheKey('/inbox', { cookie: 'session=alice', 'accept-language': 'de' }, ''));
    assert.notEqual(cacheKey('/', { 'accept-language': 'de' }, 'Accept-Language'), cacheKey('/', { 'accept-language': 'fr' }, 'Accept-Language'));
    assert.equal(alice.includes('alice'), false, 'credentials are hashed, not kept');
  });

  it('drops hop-by-hop headers, those named by Connection, and HTTP/2 pseudo-headers', () => {
    assert.deepEqual(
      endToEnd({ connection: 'close, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', host: 'h', ':path': '/', 'x-kept': 'y' }),
      { 'x-kept': 'y' },
    );
  });

  it('takes only whole GETs of textual 200s as delta material, uncacheable ones included', () => {
    assert.equal(isDeltaRequest('GET', {}), true);
    assert.equal(isDeltaRequest('GET', { range: 'bytes=0-1' }), false);
    assert.equal(isDeltaRequest('POST', {}), false);
    assert.equal(isDeltaResponse(200, { 'content-type': 'text/html; charset=utf-8' }, false), true);
    assert.equal(isDeltaResponse(200, { 'content-type': 'application/problem+json' }, false), true);
    assert.equal(isDeltaResponse(200, { 'content-type': 'image/png' }, false), false);
    assert.equal(isDeltaResponse(200, {}, false), false);
    assert.equal(isDeltaResponse(404, { 'content-type': 'text/html' }, false), false);
    assert.equal(
      isDeltaResponse(200, { 'content-type': 'text/html', 'cache-control': 'private, no-store' }, true),
      false,
      'no-store passes through when honoured',
    );
    assert.equal(isDeltaResponse(200, { 'content-type': 'text/html', 'cache-control': 'private, no-store' }, false), true, 'else it is delta material too');
    for (const cacheControl of ['private', 'no-cache', 'max-age=0', 'no-store, private']) {
      assert.equal(isDeltaResponse(200, { 'content-type': 'text/html', 'cache-control': cacheControl, 'set-cookie': 'a=1' }, false), true, cacheControl);
    }
    assert.equal(isDeltaResponse(200, { 'content-type': 'text/html', vary: 'Accept, *' }, false), false);
  });

  it('compresses on the link only text the origin did not encode, when there is a body', () => {
    assert.equal(compressesOnLink('GET', 404, { 'content-type': 'text/html' }), true);
    assert.equal(compressesOnLink('POST', 201, { 'content-type': 'application/json', 'content-encoding': 'identity' }), true);
    assert.equal(compressesOnLink('GET', 200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }), false);
    assert.equal(compressesOnLink('GET', 200, { 'content-type': 'image/png' }), false);
    assert.equal(compressesOnLink('HEAD', 200, { 'content-type': 'text/html' }), false);
    assert.equal(compressesOnLink('GET', 304, { 'content-type': 'text/html' }), false);
    assert.equal(compressesOnLink('GET', 200, { 'content-type': 'text/html', 'content-length': '0' }), false);
    assert.equal(isDeltaResponse(200, { 'content-type': 'text/event-stream' }, false), false, 'an event stream is never held back for a delta');
  });
});
