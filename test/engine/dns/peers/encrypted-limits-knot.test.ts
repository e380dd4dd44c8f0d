// The connection and idle limits of DoT and DoH listeners (tcp.idleTimeoutMs, tcp.maxConnections),
// with node:tls and node:http2 as clients and knot as the upstream.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as connectHttp2 } from 'node:http2';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { makePki, serverName, type TestPki } from '../../../helpers/dns-tls.ts';
import { freePort, startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';
import { waitFor } from '../../../helpers/wait.ts';

let dns: DnsBehindKnot;
let pki: TestPki;
let dotPort: number;
let dohPort: number;

before(async () => {
  pki = makePki();
  dotPort = await freePort();
  dohPort = await freePort();
  dns = await startDnsBehindKnot((upstreams) => ({
    listen: [`tls://127.0.0.1:${dotPort}`, `https://127.0.0.1:${dohPort}/dns-query`],
    upstreams,
    tls: { certFile: pki.certFile, keyFile: pki.keyFile },
    tcp: { idleTimeoutMs: 1500, maxConnections: 2 },
  }));
});
after(() => dns?.stop());

const dot = () => connect({ host: '127.0.0.1', port: dotPort, ca: pki.ca, servername: serverName, ALPNProtocols: ['dot'] });

describe('dns DoT and DoH limits', () => {
  it('closes an idle DoT connection and an idle DoH HTTP/2 session after tcp.idleTimeoutMs', { timeout: 20_000 }, async () => {
    const socket = dot();
    await once(socket, 'secureConnect');
    assert.equal(socket.alpnProtocol, 'dot');
    const session = connectHttp2(`https://127.0.0.1:${dohPort}`, { ca: pki.ca, servername: serverName });
    await once(session, 'connect');
    assert.equal(session.alpnProtocol, 'h2');
    await Promise.all([once(socket, 'close'), once(session, 'close')]);
    // Counted as closed for idleness, and no longer open (the server's close may trail the client's).
    await waitFor(async () => {
      const stats = await dns.stats();
      return (
        stats.connectionsIdleClosed.tls >= 1 && stats.connectionsIdleClosed.https >= 1 && stats.connectionsOpen.tls === 0 && stats.connectionsOpen.https === 0
      );
    }, 'the idle closes to be counted');
  });

  it('accepts no more than tcp.maxConnections DoT connections at once', { timeout: 20_000 }, async () => {
    const open: TLSSocket[] = [];
    try {
      // The server may not have seen the previous test's connections close yet: retry until two are open.
      for (let attempt = 0; open.length < 2 && attempt < 50; attempt++) {
        const socket = dot();
        socket.on('error', () => {});
        if (
          await once(socket, 'secureConnect').then(
            () => true,
            () => false,
          )
        )
          open.push(socket);
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(open.length, 2);
      const third = dot();
      third.on('error', () => {});
      const outcome = await new Promise<string>((resolve) => {
        third.once('secureConnect', () => resolve('connected'));
        third.once('close', () => resolve('closed'));
      });
      third.destroy();
      assert.equal(outcome, 'closed');
      const stats = await dns.stats();
      assert.equal(stats.connectionsOpen.tls, 2, 'the two held open');
      assert.ok(stats.connectionsRefused.tls >= 1, `refused counted: ${stats.connectionsRefused.tls}`);
      assert.ok(stats.connections.tls >= 2);
    } finally {
      for (const socket of open) socket.destroy();
    }
  });
});
