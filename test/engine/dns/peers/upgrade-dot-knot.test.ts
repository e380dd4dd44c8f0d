// A zero-downtime upgrade under DoT load: the DoT listener accepts on the cluster-shared TCP
// socket, so the new process takes new connections while the old one finishes its own and closes
// them. Clients reconnect and resend what a closed connection left unanswered (RFC 7766 §6.2.1.1
// asks that of DNS-over-TCP clients; kdig and unbound do it); no query may go unanswered.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { dnsConfig } from '../../../../engine/api/dns.ts';
import { Supervisor } from '../../../../engine/host/supervisor.ts';
import { Type } from '../../../../engine/dns/wire.ts';
import { encodeQuery } from '../../../helpers/dns.ts';
import { makePki, serverName, type TestPki } from '../../../helpers/dns-tls.ts';
import { quietLog, tempDir } from '../../../helpers/host.ts';
import { freePort, startKnot, type Knot } from '../../../helpers/knot.ts';

const realEntry = fileURLToPath(new URL('../../../../engine/host/engine-process.ts', import.meta.url));
let knot: Knot;
let pki: TestPki;
let dotPort: number;
let supervisor: Supervisor;

before(async () => {
  knot = await startKnot();
  pki = makePki();
  dotPort = await freePort();
  const entry = join(tempDir('upgrade-dot'), 'engine-process.ts');
  writeFileSync(entry, `import ${JSON.stringify(realEntry)};\n`);
  const config = dnsConfig.parse({
    enabled: true,
    listen: [`127.0.0.1:${await freePort()}`, `tls://127.0.0.1:${dotPort}`],
    upstreams: [`127.0.0.1:${knot.port}`],
    healthCheck: { probeName: 'example.test.' },
    tls: { certFile: pki.certFile, keyFile: pki.keyFile },
  });
  supervisor = new Supervisor({ engines: [{ name: 'dns', config }], dataDir: tempDir('upgrade-dot-data'), log: quietLog, entry, drainTimeoutMs: 3000 });
  await supervisor.start();
});
after(async () => {
  await supervisor?.stop();
  await knot?.stop();
});

/** DoT clients sending `total` queries each at a steady pace, reconnecting and resending what a closed connection did not answer. */
function dotLoad(clients: number, total: number, intervalMs: number): Promise<{ sent: number; answered: number; reconnects: number }> {
  let answered = 0;
  let reconnects = -clients;
  const client = (index: number) =>
    new Promise<void>((resolve) => {
      const unanswered = new Map<number, Buffer>();
      let next = 0;
      let socket: TLSSocket;
      let buffered = Buffer.alloc(0);
      const send = (id: number, query: Buffer) => {
        const framed = Buffer.alloc(2 + query.length);
        framed.writeUInt16BE(query.length);
        query.copy(framed, 2);
        socket.write(framed);
      };
      const open = () => {
        reconnects++;
        buffered = Buffer.alloc(0);
        socket = connect({ host: '127.0.0.1', port: dotPort, ca: pki.ca, servername: serverName, ALPNProtocols: ['dot'] });
        socket.on('secureConnect', () => unanswered.forEach((query, id) => send(id, query)));
        socket.on('data', (chunk: Buffer) => {
          buffered = Buffer.concat([buffered, chunk]);
          while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
            const id = buffered.readUInt16BE(2);
            buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
            if (unanswered.delete(id)) answered++;
          }
          if (next === total && unanswered.size === 0) {
            socket.end();
            resolve();
          }
        });
        socket.on('error', () => {});
        socket.on('close', () => {
          if (next < total || unanswered.size > 0) setTimeout(open, 20);
        });
      };
      open();
      const timer = setInterval(() => {
        if (next === total) return clearInterval(timer);
        const id = (index << 10) | next++;
        const query = encodeQuery(next % 2 ? 'www.example.test' : 'mail.example.test', Type.A, { id });
        unanswered.set(id, query);
        if (socket.readyState === 'open' && !socket.connecting) send(id, query);
      }, intervalMs);
    });
  return Promise.all(Array.from({ length: clients }, (_, i) => client(i))).then(() => ({ sent: clients * total, answered, reconnects }));
}

describe('DNS engine upgrade under DoT load (knot upstream)', () => {
  it('answers every DoT query while the engine upgrades', { timeout: 60_000 }, async () => {
    const load = dotLoad(8, 400, 10);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const upgrade = await supervisor.upgrade('dns');
    const result = await Promise.race([load, new Promise<null>((resolve) => setTimeout(() => resolve(null), 40_000))]);
    assert.equal(upgrade.phase, 'done', upgrade.message);
    assert.ok(result, 'the DoT clients did not finish within 40 s');
    assert.equal(result.answered, result.sent, `${result.sent - result.answered} of ${result.sent} DoT queries unanswered`);
    // The old process closed its connections: the clients went on through the new one.
    assert.ok(result.reconnects >= 1, `reconnects: ${result.reconnects}`);
  });
});
