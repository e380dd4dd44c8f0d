import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientError } from '../../renderer/api/client.ts';
import { describeRefusal } from '../../renderer/pages/dns/config-refusal.ts';

describe("the DNS config form's refusals", () => {
  it('names the field as the form labels it, what it takes, and the key, without zod text', () => {
    const refusal = new ClientError('E_INVALID_PARAMS', 'dns.configSet: config.rrl.window: at most 3600; config.rrl.slip: at most 10');
    assert.equal(describeRefusal(refusal), 'Window: at most 3600 (key rrl.window); Slip: at most 10 (key rrl.slip). Correct them and apply again.');
  });

  it('keeps the host message and code for any other failure', () => {
    assert.match(describeRefusal(new ClientError('E_DNS_CONFIG_REJECTED', 'listen EADDRINUSE')), /listen EADDRINUSE \[E_DNS_CONFIG_REJECTED\]/);
  });
});
