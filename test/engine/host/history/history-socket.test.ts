import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { historySocketPath, searchThroughHost, serveHistorySocket } from '../../../../engine/host/history/history-socket.ts';
import { HistoryStore } from '../../../../engine/host/history/history-store.ts';
import { tempDir } from '../../../helpers/host.ts';

const closing: (() => Promise<unknown>)[] = [];
after(() => Promise.all(closing.map((close) => close())));

describe('history socket (signalbox queries beside a running host)', () => {
  it('replaces a socket file left by a host that crashed, answers searches, and refuses a second host', async () => {
    const dataDir = tempDir('history-socket');
    const store = await HistoryStore.open(dataDir);
    closing.push(() => store.close());
    // What a crash leaves: the path exists, nobody listens.
    writeFileSync(historySocketPath(dataDir), '');
    const server = await serveHistorySocket(dataDir, store);
    closing.unshift(() => new Promise((resolve) => server.close(resolve)));
    store.addQueries([
      {
        seq: 1,
        at: Date.now(),
        client: '127.0.0.1',
        transport: 'udp',
        qname: 'sock.example.test',
        qtype: 1,
        rcode: 0,
        upstream: null,
        route: null,
        latencyMs: 1,
        cache: 'hit',
        rrl: null,
        flattened: false,
        answers: 'A 192.0.2.1',
      },
    ]);
    const found = await searchThroughHost(dataDir, { search: { since: 0, filter: { qname: 'sock' } }, limit: 10 });
    assert.deepEqual(
      found?.entries.map((entry) => [entry.qname, entry.answers]),
      [['sock.example.test', 'A 192.0.2.1']],
    );
    await assert.rejects(serveHistorySocket(dataDir, store), /another host already serves/);
  });

  it('says there is no host when none listens', async () => {
    assert.equal(await searchThroughHost(tempDir('history-socket'), { search: { since: 0 }, limit: 1 }), null);
  });
});
