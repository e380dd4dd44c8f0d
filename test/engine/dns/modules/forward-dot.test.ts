// forward's DoT upstream against a TLS server of the test's own (node:tls, a CA made by openssl),
// for what a real server does not show or does not do on demand: the padding of the queries we
// send (RFC 8467 §4.1), and a connection closed with a query on it, which must be sent again on
// a new one (RFC 7766 §6.2.1.1). unbound covers the rest (peers/upstream-dot-unbound.test.ts).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { describe, it } from 'node:test';
import { Pool } from '../../../../engine/dns/modules/forward/pool.ts';
import type { QueryContext } from '../../../../engine/dns/pipeline.ts';
import { paddingOption, parseQuery, Type } from '../../../../engine/dns/wire.ts';
import { encodeAnswer, encodeQuery } from '../../../helpers/dns.ts';
import { makePki, serverName } from '../../../helpers/dns-tls.ts';

const pki = makePki();

function ctx(name: string): QueryContext {
  const query = encodeQuery(name, Type.A, { id: 7 });
  const now = performance.now();
  return {
    query,
    parsed: parseQuery(query)!,
    cookie: null,
    client: { address: '127.0.0.1', port: 1 },
    local: { address: '127.0.0.1', port: 53 },
    transport: 'udp',
    maxSize: 512,
    receivedAt: now,
    deadline: now + 3000,
    meta: {},
  };
}

/** A DoT server calling `onQuery` with each framed query it reads and the connection's index. */
async function dotServer(onQuery: (query: Buffer, socket: TLSSocket, connection: number) => void): Promise<{ server: Server; port: number }> {
  let connections = 0;
  const server = createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile), ALPNProtocols: ['dot'] }, (socket) => {
    const connection = connections++;
    let received = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        const query = received.subarray(2, 2 + received.readUInt16BE(0));
        received = received.subarray(2 + query.length);
        onQuery(Buffer.from(query), socket, connection);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

const framed = (message: Buffer) => Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message]);
const answerTo = (query: Buffer) => encodeAnswer(query, { answers: [{ ttl: 60, address: [192, 0, 2, 7] }] });

/** The options of the OPT record that ends `query` (the only additional record we send). */
function optionsOf(query: Buffer): { code: number; data: Buffer }[] {
  let at = 12;
  while (query[at] !== 0) at += 1 + query[at]!;
  at += 5 + 11; // the question's root, type and class; the OPT's fixed part
  const options: { code: number; data: Buffer }[] = [];
  while (at + 4 <= query.length) {
    const length = query.readUInt16BE(at + 2);
    options.push({ code: query.readUInt16BE(at), data: query.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return options;
}

const poolFor = (port: number) =>
  new Pool({
    upstreams: [{ address: `tls://127.0.0.1:${port}#${serverName}`, weight: 1, caFile: pki.caFile }],
    upstreamTimeoutMs: 2000,
    policy: 'round-robin',
    health: { enabled: false, intervalMs: 1000, probeName: '.', failsToDown: 3, successesToUp: 1 },
  });

describe('dns forward over TLS', () => {
  it('pads every query to a multiple of 128 octets with a Padding option of zeros (RFC 8467 §4.1)', async () => {
    const seen: Buffer[] = [];
    const { server, port } = await dotServer((query, socket) => {
      seen.push(query);
      socket.write(framed(answerTo(query)));
    });
    const pool = poolFor(port);
    try {
      for (const name of ['a.test', 'a-much-longer-name.with.several.labels.example.test']) {
        const answer = (await pool.resolve(ctx(name)))!;
        assert.deepEqual([...answer.subarray(-4)], [192, 0, 2, 7]);
      }
      for (const query of seen) {
        assert.equal(query.length % 128, 0, `a query of ${query.length} octets`);
        const options = optionsOf(query);
        assert.deepEqual(
          options.map((option) => option.code),
          [10, paddingOption],
          'our cookie, then the padding',
        );
        assert.ok(
          options[1]!.data.every((octet) => octet === 0),
          'the padding is zeros',
        );
      }
    } finally {
      pool.close();
      server.close();
    }
  });

  it('sends a query again on a new connection when the server closed the old one without answering it', async () => {
    const { server, port } = await dotServer((query, socket, connection) => {
      // The first connection is shed as the query arrives (an idle limit racing the write).
      if (connection === 0) socket.destroy();
      else socket.write(framed(answerTo(query)));
    });
    const pool = poolFor(port);
    try {
      const answer = (await pool.resolve(ctx('again.test')))!;
      assert.deepEqual([...answer.subarray(-4)], [192, 0, 2, 7]);
      const [stats] = pool.stats();
      assert.deepEqual([stats!.connections, stats!.answered, stats!.errors, stats!.timeouts], [2, 1, 0, 0]);
    } finally {
      pool.close();
      server.close();
    }
  });
});
