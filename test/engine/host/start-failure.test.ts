import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { explainStartFailure } from '../../../engine/host/start-failure.ts';

describe('why an engine could not start', () => {
  it('names the address in use and how to find who holds it; no retry', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    const port = holder.address().port;
    const second = createSocket('udp4');
    const err = await new Promise<Error>((resolve) => {
      second.once('error', resolve);
      second.bind(port, '127.0.0.1');
    });
    holder.close();
    const failure = explainStartFailure(err);
    assert.equal(failure.code, 'E_ENGINE_ADDRESS_IN_USE');
    assert.equal(failure.message, `bind EADDRINUSE 127.0.0.1:${port}`);
    assert.match(failure.hint, new RegExp(`another program holds 127\\.0\\.0\\.1:${port} \\(ss -lntup 'sport = :${port}'`));
    assert.equal(failure.retrying, false);
  });

  it('tells how to bind port 53 without root (Node error shape: tests run as root, so no real EACCES)', () => {
    const err = Object.assign(new Error('bind EACCES 0.0.0.0:53'), { code: 'EACCES', address: '0.0.0.0', port: 53 });
    const failure = explainStartFailure(err);
    assert.equal(failure.code, 'E_ENGINE_PORT_DENIED');
    assert.match(failure.hint, /port 53 needs root or CAP_NET_BIND_SERVICE \(setcap 'cap_net_bind_service=\+ep' on the Node binary\), or listen on 5353/);
    assert.equal(failure.retrying, false);
  });

  it('a refused config is not retried; an unknown failure is', () => {
    const parsed = z.object({ port: z.number() }).safeParse({ port: 'x' });
    assert.equal(explainStartFailure(parsed.error).retrying, false);
    assert.equal(explainStartFailure(parsed.error).code, 'E_ENGINE_CONFIG');
    const other = explainStartFailure(new Error('out of memory'));
    assert.deepEqual([other.code, other.retrying], ['E_ENGINE_START', true]);
  });
});
