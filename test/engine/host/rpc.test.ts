import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../engine/api/errors.ts';
import { roles, type Caller } from '../../../engine/api/identity.ts';
import { procedures, streams } from '../../../engine/api/index.ts';
import { createRpcClient, serveRpc, type RpcHandler } from '../../../engine/host/rpc.ts';
import { transportPair } from '../../helpers/memory-transport.ts';
import { waitFor } from '../../helpers/wait.ts';

function echoHandler(): RpcHandler & { active: number } {
  const handler = {
    active: 0,
    async call(method: string, params: unknown) {
      if (method === 'echo.echo') return params;
      if (method === 'echo.status') throw new ApiError('E_TEST', 'status failed on purpose');
      throw new Error('boom');
    },
    subscribe(_stream: string, _params: unknown, emit: (data: unknown) => void) {
      handler.active++;
      let n = 0;
      const timer = setInterval(() => emit({ n: ++n, at: Date.now() }), 5);
      return () => {
        handler.active--;
        clearInterval(timer);
      };
    },
  };
  return handler;
}

const operator: Caller = { name: 'olga', role: 'operator', via: 'session' };

function connected(handler = echoHandler(), caller: Caller = operator) {
  const [serverSide, clientSide] = transportPair();
  serveRpc(serverSide, handler, { caller });
  return { client: createRpcClient(clientSide, 2000), handler, clientSide, serverSide };
}

describe('rpc', () => {
  it('gives the handler the caller the transport vouches for, never one a client names in its call', async () => {
    const seen: Caller[] = [];
    const handler = { ...echoHandler(), call: async (_m: string, _p: unknown, caller: Caller) => void seen.push(caller) };
    const { client } = connected(handler);
    await client.call('echo.echo', { text: 'a' });
    await client.call('echo.echo', { text: 'b' }, 2000, { name: 'mallory', role: 'admin', via: 'session' });
    assert.deepEqual(seen, [operator, operator]);
  });

  it('refuses a caller below the role the contract declares with E_FORBIDDEN naming the role needed', async () => {
    const viewer: Caller = { name: 'vera', role: 'viewer', via: 'session' };
    const calls: string[] = [];
    const { client } = connected({ ...echoHandler(), call: async (method: string) => void calls.push(method) }, viewer);
    await assert.rejects(client.call('dns.cacheFlush', {}), (err: ApiError) => {
      assert.equal(err.code, 'E_FORBIDDEN');
      assert.match(err.message, /dns\.cacheFlush needs the operator role; vera has the viewer role/);
      return true;
    });
    await assert.rejects(client.call('vault.approve', {}), /vault\.approve needs the approver role/, 'refused before its params are looked at');
    await client.call('dns.stats', {});
    assert.deepEqual(calls, ['dns.stats'], 'the handler never saw the refused calls');
  });

  it('declares a role for every procedure and stream of the contract', () => {
    for (const [name, declared] of [...Object.entries(procedures), ...Object.entries(streams)]) {
      assert.ok(roles.includes(declared.role), `${name} declares no role`);
    }
    assert.equal(procedures['dns.cacheFlush'].role, 'operator');
    assert.equal(procedures['vault.approve'].role, 'approver');
    assert.equal(procedures['dns.stats'].role, 'viewer');
  });

  it('on the host-to-engine channel (acceptForwardedCaller) takes the caller from the call', async () => {
    const seen: Caller[] = [];
    const [serverSide, clientSide] = transportPair();
    serveRpc(
      serverSide,
      { ...echoHandler(), call: async (_m: string, _p: unknown, caller: Caller) => void seen.push(caller) },
      { caller: { name: 'host', role: 'admin', via: 'host' }, acceptForwardedCaller: true },
    );
    const client = createRpcClient(clientSide, 2000);
    await client.call('echo.echo', { text: 'a' }, 2000, operator);
    await client.call('echo.echo', { text: 'b' });
    assert.deepEqual(
      seen.map((c) => c.name),
      ['olga', 'host'],
    );
  });

  it('answers a valid call with the handler result', async () => {
    const { client } = connected();
    assert.deepEqual(await client.call('echo.echo', { text: 'hi' }), { text: 'hi' });
  });

  it('refuses params that do not match the contract with E_INVALID_PARAMS naming the field', async () => {
    const { client } = connected();
    await assert.rejects(client.call('echo.echo', { text: 42 }), (err: ApiError) => {
      assert.equal(err.code, 'E_INVALID_PARAMS');
      assert.match(err.message, /echo\.echo: text:/);
      return true;
    });
    await assert.rejects(client.call('echo.echo', { text: 'x', extra: 1 }), { code: 'E_INVALID_PARAMS' });
  });

  it('refuses an unknown procedure with E_UNKNOWN_METHOD', async () => {
    const { client } = connected();
    await assert.rejects(client.call('nope.nothing', {}), { code: 'E_UNKNOWN_METHOD' });
  });

  it('keeps the code of an ApiError and turns any other throw into E_INTERNAL', async () => {
    const { client } = connected();
    await assert.rejects(client.call('echo.status', {}), { code: 'E_TEST', message: 'status failed on purpose' });
    await assert.rejects(client.call('echo.ping', { sentAt: 1 }), { code: 'E_INTERNAL', message: 'boom' });
  });

  it('answers a malformed envelope with E_BAD_MESSAGE and keeps serving', async () => {
    const { client, clientSide } = connected();
    const answers: unknown[] = [];
    clientSide.onMessage((message) => answers.push(message));
    clientSide.send({ t: 'call', id: 7, method: 'echo.echo' + 'x'.repeat(200), params: {} });
    clientSide.send('not an object');
    clientSide.send({ t: 'invalid-json' });
    await waitFor(() => answers.length === 3, 'three error answers');
    for (const answer of answers) assert.equal((answer as { error: { code: string } }).error.code, 'E_BAD_MESSAGE');
    assert.equal((answers[0] as { id: number }).id, 7);
    assert.deepEqual(await client.call('echo.echo', { text: 'still here' }), { text: 'still here' });
  });

  it('streams events until unsubscribed', async () => {
    const { client, handler } = connected();
    const events: { n: number }[] = [];
    const stop = client.subscribe('echo.ticks', {}, (event) => events.push(event as { n: number }));
    await waitFor(() => events.length >= 3, 'three ticks');
    stop();
    await waitFor(() => handler.active === 0, 'the server to end the subscription');
    assert.deepEqual(
      events.slice(0, 3).map((e) => e.n),
      [1, 2, 3],
    );
  });

  it('ends subscriptions on the server when the transport closes', async () => {
    const { client, handler } = connected();
    client.subscribe('echo.ticks', {}, () => {});
    await waitFor(() => handler.active === 1, 'the subscription to start');
    client.close();
    assert.equal(handler.active, 0);
  });

  it('rejects pending calls with E_CLOSED when the transport closes', async () => {
    const [serverSide, clientSide] = transportPair();
    serveRpc(serverSide, { call: () => new Promise(() => {}), subscribe: () => () => {} }, { caller: operator });
    const client = createRpcClient(clientSide);
    const pending = client.call('echo.echo', { text: 'never answered' });
    serverSide.close();
    await assert.rejects(pending, { code: 'E_CLOSED' });
    await assert.rejects(client.call('echo.echo', { text: 'after close' }), { code: 'E_CLOSED' });
  });

  it('times out a call the server never answers', async () => {
    const [serverSide, clientSide] = transportPair();
    serveRpc(serverSide, { call: () => new Promise(() => {}), subscribe: () => () => {} }, { caller: operator });
    const client = createRpcClient(clientSide, 50);
    await assert.rejects(client.call('echo.echo', { text: 'slow' }), { code: 'E_TIMEOUT' });
  });
});
