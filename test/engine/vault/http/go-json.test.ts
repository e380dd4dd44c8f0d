// GoRequest reads a body the way Go's encoding/json fills Red October's request structs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeGoBase64, fold, GoJsonError, GoRequest } from '../../../../engine/vault/http/go-json.ts';

const struct = { Name: 'string', Password: 'string', Uses: 'int', Users: 'strings', Data: 'bytes', Anyone: 'bool' } as const;
const parse = (body: string) => GoRequest.parse(Buffer.from(body), 'DelegateRequest', struct);
const refuses = (body: string, message: string | RegExp) =>
  assert.throws(
    () => parse(body),
    (err: unknown) => err instanceof GoJsonError && (typeof message === 'string' ? err.message === message : message.test(err.message)),
    body,
  );

describe('Go JSON request reader', () => {
  it('matches field names case-insensitively, as Go does', () => {
    const request = parse('{"name":"alice","PASSWORD":"pw","uSeS":3,"users":["bob"],"data":"aGk=","anyone":true}');
    assert.equal(request.string('Name'), 'alice');
    assert.equal(request.string('Password'), 'pw');
    assert.equal(request.int('Uses'), 3);
    assert.deepEqual(request.strings('Users'), ['bob']);
    assert.equal(request.bytes('Data').toString(), 'hi');
    assert.equal(request.bool('Anyone'), true);
  });

  it("folds the Kelvin sign and the long s as Go's EqualFold does, and nothing else", () => {
    assert.equal(fold('\u212aey'), 'key');
    assert.equal(fold('Pa\u017f\u017fword'), 'password');
    assert.equal(parse('{"Pa\u017f\u017fword":"pw"}').string('Password'), 'pw');
    assert.equal(parse('{"Pa\u00dfword":"pw"}').string('Password'), '', 'ß is not ss in Go');
  });

  it('ignores unknown fields and reads absent or null ones as zero values', () => {
    const request = parse('{"Name":null,"Slot":{"deep":[1,2]},"Extra":1.5}');
    assert.equal(request.string('Name'), '');
    assert.equal(request.int('Uses'), 0);
    assert.deepEqual(request.strings('Users'), []);
    assert.equal(request.bytes('Data').length, 0);
    assert.equal(request.has('Name'), false);
    assert.deepEqual(parse('{"Users":["a",null]}').strings('Users'), ['a', '']);
    assert.equal(parse('null').string('Name'), '');
  });

  it('refuses a field spelt twice in different cases, which Go would resolve silently', () => {
    refuses('{"Name":"alice","name":"mallory"}', 'json: "Name" and "name" both set DelegateRequest.Name; send it once');
    // The same spelling twice is one JSON key: the last wins, as in Go.
    assert.equal(parse('{"Name":"alice","Name":"bob"}').string('Name'), 'bob');
  });

  it("answers type mismatches with Go's texts, the first in body order", () => {
    refuses('{"Uses":"3"}', 'json: cannot unmarshal string into Go struct field DelegateRequest.Uses of type int');
    refuses('{"Uses":1.5}', 'json: cannot unmarshal number 1.5 into Go struct field DelegateRequest.Uses of type int');
    refuses('{"Uses":1e3}', 'json: cannot unmarshal number 1e3 into Go struct field DelegateRequest.Uses of type int');
    refuses('{"Uses":9223372036854775808}', 'json: cannot unmarshal number 9223372036854775808 into Go struct field DelegateRequest.Uses of type int');
    refuses('{"Name":5}', 'json: cannot unmarshal number into Go struct field DelegateRequest.Name of type string');
    refuses('{"Users":"bob"}', 'json: cannot unmarshal string into Go struct field DelegateRequest.Users of type []string');
    refuses('{"Users":["bob",3]}', 'json: cannot unmarshal number into Go struct field DelegateRequest.Users of type string');
    refuses('{"Data":[1,2]}', 'json: cannot unmarshal array into Go struct field DelegateRequest.Data of type []uint8');
    refuses('{"Anyone":"yes"}', 'json: cannot unmarshal string into Go struct field DelegateRequest.Anyone of type bool');
    refuses('{"Password":false,"Uses":"x"}', /DelegateRequest\.Password of type string/);
    refuses('[]', 'json: cannot unmarshal array into Go value of type core.DelegateRequest');
    refuses('"x"', 'json: cannot unmarshal string into Go value of type core.DelegateRequest');
    assert.equal(parse('{"Uses":-0}').int('Uses'), 0);
  });

  it('reports malformed JSON without echoing the body', () => {
    refuses('', 'unexpected end of JSON input');
    refuses('{"Name":"alice","Password":"hunter2"', 'unexpected end of JSON input');
    assert.throws(
      () => parse('{"Password":"hunter2"x}'),
      (err: Error) => err instanceof GoJsonError && /^invalid JSON: .* at byte 21$/.test(err.message) && !err.message.includes('hunter2'),
    );
    assert.throws(
      () => parse('hunter2'),
      (err: Error) => err instanceof GoJsonError && !err.message.includes('hunter2'),
    );
    refuses('\ufeff{}', /^invalid JSON/);
  });

  it("decodes []byte as Go's padded standard base64, skipping line breaks", () => {
    assert.equal(decodeGoBase64('aGVs\r\nbG8=').toString(), 'hello');
    assert.equal(decodeGoBase64('').length, 0);
    for (const [text, at] of [
      ['aGVsbG8', 4],
      ['aGVs*G8=', 4],
      ['aG=sbG8=', 2],
      ['aGVsbG8-', 7],
      ['aGVsbG8_', 7],
    ] as const) {
      assert.throws(
        () => decodeGoBase64(text),
        (err: Error) => err instanceof GoJsonError && err.message === `illegal base64 data at input byte ${at}`,
        text,
      );
    }
    refuses('{"Data":"aGk"}', 'illegal base64 data at input byte 0');
  });

  it("reports the byte Go reports for every case of Go's own TestDecodeCorrupt (offsets count line breaks)", () => {
    const cases: [string, number][] = [
      ['', -1],
      ['\n', -1],
      ['AAA=\n', -1],
      ['AAAA\n', -1],
      ['!!!!', 0],
      ['====', 0],
      ['x===', 1],
      ['=AAA', 0],
      ['A=AA', 1],
      ['AA=A', 2],
      ['AA==A', 4],
      ['AAA=AAAA', 4],
      ['AAAAA', 4],
      ['AAAAAA', 4],
      ['A=', 1],
      ['A==', 1],
      ['AA=', 3],
      ['AA==', -1],
      ['AAA=', -1],
      ['AAAA', -1],
      ['AAAAAA=', 7],
      ['YWJjZA=====', 8],
      ['A!\n', 1],
      ['A=\n', 1],
      ['AA\r\n=\n=', -1],
      ['AA\n\n*', 4],
    ];
    for (const [text, at] of cases) {
      if (at === -1) assert.doesNotThrow(() => decodeGoBase64(text), JSON.stringify(text));
      else
        assert.throws(
          () => decodeGoBase64(text),
          (err: Error) => err.message === `illegal base64 data at input byte ${at}`,
          JSON.stringify(text),
        );
    }
  });

  it('decodes base64 as long as a 40 MiB body in one pass (a regex overflowed the stack from ~4.47 M characters)', () => {
    const data = Buffer.alloc(30 * 1024 * 1024, 0xa5);
    const text = data.toString('base64');
    assert.ok(decodeGoBase64(text).equals(data));
    assert.throws(
      () => decodeGoBase64(`${text.slice(0, -4)}*AAA`),
      (err: Error) => err instanceof GoJsonError && err.message === `illegal base64 data at input byte ${text.length - 4}`,
    );
  });
});
