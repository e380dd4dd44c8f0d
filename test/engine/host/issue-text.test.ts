import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { validateParams } from '../../../engine/host/rpc.ts';
import { plainIssue } from '../../../engine/host/issue-text.ts';

const said = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  assert.equal(parsed.success, false);
  return parsed.error!.issues.map(plainIssue);
};

describe('validation messages in plain words', () => {
  it('says what a key takes instead of zod text', () => {
    assert.deepEqual(said(z.number().int().min(1).max(3600), 5000), ['at most 3600']);
    assert.deepEqual(said(z.number().min(1), 0), ['at least 1']);
    assert.deepEqual(said(z.number().int(), 1.5), ['write a whole number']);
    assert.deepEqual(said(z.number(), 'five'), ['write a number']);
    assert.deepEqual(said(z.object({ a: z.string() }), {}), ['missing: give text']);
    assert.deepEqual(said(z.string().min(1), ''), ['must not be empty']);
    assert.deepEqual(said(z.enum(['udp', 'tcp']), 'sctp'), ['one of "udp", "tcp"']);
    assert.deepEqual(said(z.object({}).strict(), { extra: 1 }), ['unknown key "extra": remove it or check the spelling']);
    // Our own messages stay as written.
    assert.deepEqual(
      said(
        z.string().refine(() => false, 'write it as ADDR:PORT'),
        'x',
      ),
      ['write it as ADDR:PORT'],
    );
  });

  it('names the key and what it takes in an E_INVALID_PARAMS refusal, with no zod wording', () => {
    assert.throws(
      () => validateParams('call', 'echo.echo', { text: 42 }),
      (err: Error & { code: string }) => {
        assert.equal(err.code, 'E_INVALID_PARAMS');
        assert.equal(err.message, 'echo.echo: text: write text');
        return true;
      },
    );
  });
});
