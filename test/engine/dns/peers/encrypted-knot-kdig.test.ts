// DNS over TLS (RFC 7858) and DNS over HTTPS (RFC 8484) listeners, with real clients: kdig +tls
// and +https, curl (--doh-url and a plain POST/GET), and node:http2 for many streams on one
// connection; knot is the upstream, the certificate comes from a throwaway openssl CA.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect as connectHttp2 } from 'node:http2';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { DnsConfig, QueryLogEntry } from '../../../../engine/api/dns.ts';
import { Type } from '../../../../engine/dns/wire.ts';
import { encodeQuery } from '../../../helpers/dns.ts';
import { makePki, serverName, type TestPki } from '../../../helpers/dns-tls.ts';
import { freePort, startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';

const run = promisify(execFile);

/** The DNS rcode kdig shows (over HTTPS it also prints the HTTP status first). */
const status = (output: string) => output.match(/status: ([A-Z]+);/)?.[1];

let dns: DnsBehindKnot;
let pki: TestPki;
let dotPort: number;
let dohPort: number;
let dohUrl: string;

before(async () => {
  pki = makePki();
  dotPort = await freePort();
  dohPort = await freePort();
  dohUrl = `https://127.0.0.1:${dohPort}/dns-query`;
  dns = await startDnsBehindKnot((upstreams) => ({
    listen: [`tls://127.0.0.1:${dotPort}`, `https://127.0.0.1:${dohPort}/dns-query`],
    upstreams,
    tls: { certFile: pki.certFile, keyFile: pki.keyFile },
  }));
});
after(() => dns?.stop());

async function kdigAt(port: number, args: string[]): Promise<string> {
  try {
    return (
      await run('kdig', ['@127.0.0.1', '-p', String(port), '+time=3', '+retry=0', `+tls-ca=${pki.caFile}`, `+tls-hostname=${serverName}`, ...args], {
        timeout: 8000,
      })
    ).stdout;
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

async function recent(transport: QueryLogEntry['transport']): Promise<QueryLogEntry[]> {
  const { entries } = (await dns.engine.procedures['dns.recentQueries']!({ limit: 10_000 })) as { entries: QueryLogEntry[] };
  return entries.filter((entry) => entry.transport === transport);
}

/** A query with EDNS and an empty Padding option (RFC 7830), as a privacy-minded client sends. */
function paddedQuery(name: string, id: number): Buffer {
  const plain = encodeQuery(name, Type.A, { id, edns: 1232 });
  plain.writeUInt16BE(4, plain.length - 2);
  return Buffer.concat([plain, Buffer.from([0, 12, 0, 0])]);
}

/** The option codes of the OPT record at the end of a message (our OPT is always last). */
function lastOptHasPadding(answer: Buffer): boolean {
  return answer.includes(Buffer.from([0, 0, 41])) && answer.subarray(answer.lastIndexOf(Buffer.from([0, 0, 41]))).includes(Buffer.from([0, 12]));
}

describe('dns over TLS and HTTPS (kdig, curl, node:http2; knot upstream)', () => {
  it('answers kdig +tls with a verified certificate, over TLS 1.3, logged as tls', async () => {
    const out = await kdigAt(dotPort, ['+tls', 'www.example.test', 'A']);
    assert.equal(status(out), 'NOERROR', out);
    assert.match(out, /IN\s+A\s+192\.0\.2\.10/);
    assert.match(out, /TLS1\.3/, out);
    assert.ok((await recent('tls')).some((entry) => entry.qname === 'www.example.test'));
  });

  it('answers several queries pipelined on one DoT connection', async () => {
    const out = await kdigAt(dotPort, ['+tls', '+keepopen', 'www.example.test', 'A', 'txt.example.test', 'TXT', 'mail.example.test', 'A']);
    assert.match(out, /192\.0\.2\.10/);
    assert.match(out, /hello world/);
    assert.match(out, /192\.0\.2\.25/);
  });

  it('pads DoT answers to kdig (which pads over TLS) to a 468-byte block', async () => {
    const out = await kdigAt(dotPort, ['+tls', '+padding', 'www.example.test', 'A']);
    assert.match(out, /PADDING: \d+ B/, out);
    const size = Number(out.match(/Received (\d+) B/)?.[1]);
    assert.equal(size % 468, 0, `reply of ${size} bytes`);
  });

  it('answers kdig +https by POST and by GET, logged as https', async () => {
    const post = await kdigAt(dohPort, [`+https=/dns-query`, 'www.example.test', 'AAAA']);
    assert.equal(status(post), 'NOERROR', post);
    assert.match(post, /IN\s+AAAA\s+2001:db8::10/);
    const get = await kdigAt(dohPort, [`+https=/dns-query`, '+https-get', 'txt.example.test', 'TXT']);
    assert.match(get, /hello world/, get);
    const logged = await recent('https');
    assert.ok(logged.some((entry) => entry.qname === 'www.example.test' && entry.qtype === Type.AAAA));
    assert.ok(logged.some((entry) => entry.qname === 'txt.example.test'));
  });

  it('resolves the name curl --doh-url asks, then curl fetches from that address', async () => {
    const web: HttpServer = createHttpServer((_req, res) => res.end('through signalbox doh\n'));
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const webPort = (web.address() as { port: number }).port;
      // ns1.example.test is 127.0.0.1 in knot's zone: only a working DoH answer gets curl there.
      const { stdout } = await run('curl', ['-sS', '--max-time', '8', '--cacert', pki.caFile, '--doh-url', dohUrl, `http://ns1.example.test:${webPort}/`], {
        timeout: 10_000,
      });
      assert.equal(stdout, 'through signalbox doh\n');
    } finally {
      web.close();
    }
  });

  it('answers a plain curl POST of application/dns-message and a GET with ?dns= (base64url, no padding)', async () => {
    const query = encodeQuery('www.example.test', Type.A, { id: 0 });
    const file = join(pki.dir, 'query.bin');
    writeFileSync(file, query);
    const curl = async (args: string[]) =>
      (
        await run('curl', ['-sS', '--max-time', '8', '--cacert', pki.caFile, '-D', join(pki.dir, 'headers.txt'), '-o', '-', ...args], {
          timeout: 10_000,
          encoding: 'buffer',
        })
      ).stdout;
    const posted = await curl(['--data-binary', `@${file}`, '-H', 'content-type: application/dns-message', dohUrl]);
    assert.ok(posted.includes(Buffer.from([192, 0, 2, 10])), posted.toString('hex'));
    assert.equal(posted.readUInt16BE(0), 0);
    const encoded = query.toString('base64url');
    assert.doesNotMatch(encoded, /=/);
    const got = await curl([`${dohUrl}?dns=${encoded}`]);
    assert.ok(got.includes(Buffer.from([192, 0, 2, 10])));
    // ALPN http/1.1 as well as h2 (RFC 8484 §5.2 allows any HTTP version; some clients have no HTTP/2).
    const http1 = await curl(['--http1.1', '--data-binary', `@${file}`, '-H', 'content-type: application/dns-message', dohUrl]);
    assert.ok(http1.includes(Buffer.from([192, 0, 2, 10])));
    assert.match(readFileSync(join(pki.dir, 'headers.txt'), 'utf8'), /^HTTP\/1\.1 200/);
  });

  it('refuses what is not a DoH request with the HTTP status RFC 8484 asks for', async () => {
    const code = async (args: string[]) =>
      (await run('curl', ['-sS', '--max-time', '8', '--cacert', pki.caFile, '-o', '/dev/null', '-w', '%{http_code}', ...args], { timeout: 10_000 })).stdout;
    assert.equal(await code([`https://127.0.0.1:${dohPort}/other`]), '404');
    assert.equal(await code([`${dohUrl}`]), '400');
    assert.equal(await code(['--data-binary', 'x', '-H', 'content-type: text/plain', dohUrl]), '415');
  });

  it('carries 200 queries over one HTTP/2 connection, padded when asked (RFC 8467)', async () => {
    const before = (await dns.stats()).connections.https;
    const session = connectHttp2(`https://127.0.0.1:${dohPort}`, { ca: pki.ca, servername: serverName });
    try {
      const ask = (query: Buffer) =>
        new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
          const stream = session.request({
            ':method': 'POST',
            ':path': '/dns-query',
            'content-type': 'application/dns-message',
            accept: 'application/dns-message',
          });
          const chunks: Buffer[] = [];
          let statusCode = 0;
          stream.on('response', (headers) => (statusCode = Number(headers[':status'])));
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => resolve({ status: statusCode, body: Buffer.concat(chunks) }));
          stream.on('error', reject);
          stream.end(query);
        });
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => ask(i % 2 ? paddedQuery('www.example.test', i) : encodeQuery('www.example.test', Type.A, { id: i, edns: 1232 }))),
      );
      for (const [i, { status: code, body }] of answers.entries()) {
        assert.equal(code, 200);
        assert.equal(body.readUInt16BE(0), i);
        assert.ok(body.includes(Buffer.from([192, 0, 2, 10])));
        // Padded only when the query was (RFC 8467 §4.1: a server MUST NOT pad otherwise).
        assert.equal(lastOptHasPadding(body), i % 2 === 1, `answer ${i}`);
        if (i % 2) assert.equal(body.length % 468, 0, `answer ${i}: ${body.length} bytes`);
      }
    } finally {
      session.close();
    }
    assert.equal((await dns.stats()).connections.https - before, 1);
  });

  it('refuses TLS below 1.2', async () => {
    const { connect } = await import('node:tls');
    const error = await new Promise<Error | null>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: dotPort,
        ca: pki.ca,
        servername: serverName,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(null);
      });
      socket.once('error', resolve);
    });
    assert.ok(error, 'a TLS 1.1 handshake succeeded');
  });

  it('takes a renewed certificate on dns.configSet, and keeps the old one when a file cannot be read', async () => {
    const config = ((await dns.engine.procedures['dns.configGet']!({})) as { config: DnsConfig }).config;
    await assert.rejects(
      Promise.resolve().then(() =>
        dns.engine.procedures['dns.configSet']!({ config: { ...config, tls: { certFile: pki.certFile, keyFile: join(pki.dir, 'missing.key') } } }),
      ),
      (err: Error & { code?: string }) => err.code === 'E_DNS_CONFIG_REJECTED' && /E_DNS_TLS_FILE/.test(err.message) && err.message.includes('missing.key'),
    );
    assert.match(await kdigAt(dotPort, ['+tls', 'www.example.test', 'A']), /192\.0\.2\.10/, 'the old certificate still serves');
    const renewed = makePki();
    await dns.engine.procedures['dns.configSet']!({ config: { ...config, tls: { certFile: renewed.certFile, keyFile: renewed.keyFile } } });
    const oldCa = pki.caFile;
    pki = renewed;
    assert.match(await kdigAt(dotPort, ['+tls', 'www.example.test', 'A']), /192\.0\.2\.10/, 'DoT presents the renewed certificate');
    assert.match(await kdigAt(dohPort, ['+https=/dns-query', 'www.example.test', 'A']), /192\.0\.2\.10/, 'DoH presents the renewed certificate');
    const stale = await run('kdig', [
      '@127.0.0.1',
      '-p',
      String(dotPort),
      '+time=2',
      '+retry=0',
      `+tls-ca=${oldCa}`,
      `+tls-hostname=${serverName}`,
      '+tls',
      'www.example.test',
    ]).then(
      ({ stdout }) => stdout,
      (err: { stdout?: string }) => err.stdout ?? '',
    );
    assert.doesNotMatch(stale, /192\.0\.2\.10/, 'a client trusting only the old CA is refused');
  });
});
