import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundlerApi } from '../../engine/api/bundler.ts';
import { defaultLimits } from '../../engine/bundler/input/read.ts';
import { maxFileBytes, maxFiles, maxTotalBytes } from '../../renderer/pages/bundler/bundler-contract.ts';

describe("the Bundler page's copy of the upload limits", () => {
  it('agrees with the contract and the engine', () => {
    const request = bundlerApi.procedures['bundler.bundle'].request;
    const file = (bytes: number) => ({ name: 'a.pem', base64: 'A'.repeat(Math.ceil(bytes / 3) * 4) });
    assert.equal(request.safeParse({ files: [file(maxFileBytes)] }).success, true);
    assert.equal(request.safeParse({ files: [file(maxFileBytes + 3)] }).success, false);
    assert.equal(request.safeParse({ files: Array.from({ length: maxFiles + 1 }, () => file(3)) }).success, false);
    assert.equal(maxTotalBytes, defaultLimits.maxTotalBytes);
    assert.equal(maxFileBytes, defaultLimits.maxFileBytes);
  });
});
