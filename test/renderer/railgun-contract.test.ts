import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { railgunLimits } from '../../engine/api/railgun.ts';
import { ClientError } from '../../renderer/api/client.ts';
import { fieldErrors, limitRanges } from '../../renderer/pages/railgun/railgun-contract.ts';

describe("the Railgun page's copy of the contract", () => {
  it('names the same limits and ranges as engine/api', () => {
    assert.deepEqual(Object.keys(limitRanges).sort(), Object.keys(railgunLimits.shape).sort());
    for (const [key, { min, max }] of Object.entries(limitRanges)) {
      const limit = railgunLimits.shape[key as keyof typeof limitRanges];
      assert.equal(limit.safeParse(min).success, true, `${key} takes ${min}`);
      assert.equal(limit.safeParse(max).success, true, `${key} takes ${max}`);
      assert.equal(limit.safeParse(min - 1).success, false, `${key} refuses ${min - 1}`);
      assert.equal(limit.safeParse(max + 1).success, false, `${key} refuses ${max + 1}`);
    }
  });

  it('reads the fields an E_INVALID_PARAMS answer names', () => {
    const refusal = new ClientError(
      'E_INVALID_PARAMS',
      'railgun.configSet: config.limits.versionsPerKey: Too big: expected number to be <=64; config.origin: write an http:// or https:// URL, e.g. http://127.0.0.1:8000',
    );
    assert.deepEqual(fieldErrors(refusal), {
      'limits.versionsPerKey': 'Too big: expected number to be <=64',
      origin: 'write an http:// or https:// URL, e.g. http://127.0.0.1:8000',
    });
    assert.deepEqual(fieldErrors(new ClientError('E_RAILGUN_CONFIG_REJECTED', 'the ends could not start with this config: listen EADDRINUSE')), {});
  });
});
