import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paddedOpt, responseBlockLength } from '../../../engine/dns/padding.ts';
import { optRecord, parseQuery, Type, withOpt } from '../../../engine/dns/wire.ts';
import { encodeQuery } from '../../helpers/dns.ts';

describe('dns padding (RFC 7830, RFC 8467 block-length)', () => {
  it('pads a message with its OPT to a multiple of 468 bytes, for every length up to two blocks', () => {
    for (let length = 12; length < 2 * responseBlockLength; length++) {
      const opt = paddedOpt(optRecord(true, 0, null), length);
      assert.equal((length + opt.length) % responseBlockLength, 0, `message of ${length} bytes`);
      // The OPT stays well-formed: RDLENGTH covers exactly the Padding option.
      assert.equal(opt.readUInt16BE(9), opt.length - 11);
      assert.equal(opt.readUInt16BE(11), 12);
      assert.equal(opt.readUInt16BE(13), opt.length - 15);
    }
  });

  it('keeps the options before it (a COOKIE) and reads back as a valid OPT', () => {
    const cookie = Buffer.from([0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
    const message = encodeQuery('a.test', Type.A);
    const padded = withOpt(message, paddedOpt(optRecord(false, 0, cookie), message.length));
    padded.writeUInt16BE(1, 10);
    const edns = parseQuery(padded)!.edns!;
    assert.equal(padded.length % responseBlockLength, 0);
    assert.equal(edns.wellFormed, true);
    assert.equal(edns.padding, true);
    assert.equal(edns.cookieLength, 8);
  });

  it('never pads past 65535 bytes', () => {
    const opt = paddedOpt(optRecord(false, 0, null), 65_400);
    assert.ok(65_400 + opt.length <= 0xffff);
  });
});
