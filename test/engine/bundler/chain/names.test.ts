import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipBytes, matchHostname, namesMatch } from '../../../../engine/bundler/chain/names.ts';
import { name } from './certs.ts';

test('hostname matching follows RFC 6125: exact, case-insensitive, one left-most whole-label wildcard', () => {
  assert.ok(matchHostname('www.example.com', 'WWW.example.com.'));
  assert.ok(matchHostname('*.example.com', 'a.example.com'));
  assert.ok(!matchHostname('*.example.com', 'example.com'));
  assert.ok(!matchHostname('*.example.com', 'a.b.example.com'));
  assert.ok(!matchHostname('w*.example.com', 'www.example.com'));
  assert.ok(!matchHostname('*.com', 'example.com'));
  assert.ok(!matchHostname('foo_bar.example.com', 'foo_bar.example.com'));
});

test('IP literals parse to bytes (v4, v6 with ::, bracketed)', () => {
  assert.deepEqual(ipBytes('192.0.2.1'), Uint8Array.of(192, 0, 2, 1));
  assert.deepEqual(Buffer.from(ipBytes('[2001:db8::1]')!).toString('hex'), '20010db8000000000000000000000001');
  assert.equal(ipBytes('example.com'), null);
});

test('names match byte for byte or after case folding and space collapsing (RFC 5280 §7.1)', () => {
  assert.ok(namesMatch(name('Example CA'), name('Example CA')));
  assert.ok(namesMatch(name('Example  CA'), name('example ca')));
  assert.ok(!namesMatch(name('Example CA'), name('Other CA')));
});
