import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheKey, endToEnd, isDeltaRequest, isDeltaResponse } from '../../../engine/railgun/http.ts';

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
    assert.deepEqual(endToEnd({ connection: 'close, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', host: 'h', ':path': '/', 'x-kept': 'y' }), { 'x-kept': 'y' });
  });

  it('takes only whole GETs of textual 200s as delta material', () => {
    assert.equal(isDeltaRequest('GET', {}), true);
    assert.equal(isDeltaRequest('GET', { range: 'bytes=0-1' }), false);
    assert.equal(isDeltaRequest('POST', {}), false);
    assert.equal(isDeltaResponse(200, { 'content-type': 'text/html; charset=utf-8' }), true);
    assert.equal(isDeltaResponse(200, { 'content-type': 'application/problem+json' }), true);
    assert.equal(isDeltaResponse(200, { 'content-type': 'image/png' }), false);
    assert.equal(isDeltaResponse(200, {}), false);
    assert.equal(isDeltaResponse(404, { 'content-type': 'text/html' }), false);
    assert.equal(isDeltaResponse(200, { 'content-type': 'text/html', 'cache-control': 'private, no-store' }), false);
    assert.equal(isDeltaResponse(200, { 'content-type': 'text/html', vary: 'Accept, *' }), false);
  });
});
