import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxMessageBytes } from '../../engine/api/messages.ts';
import { vaultApi } from '../../engine/api/vault.ts';
import { maxPlaintextBytes, serveFrameBytes } from '../../renderer/pages/vault/vault-contract.ts';

describe("the Vault page's copy of the contract limits", () => {
  it('agrees with engine/api', () => {
    assert.equal(serveFrameBytes, maxMessageBytes);
    const data = vaultApi.procedures['vault.encrypt'].request.shape.data;
    assert.equal(data.safeParse('A'.repeat(Math.ceil(maxPlaintextBytes / 3) * 4)).success, true);
    assert.equal(data.safeParse('A'.repeat(Math.ceil(maxPlaintextBytes / 3) * 4 + 4)).success, false);
  });
});
