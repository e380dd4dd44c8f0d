// An upgrade from a version that kept the query history in node:sqlite (query-history.sqlite):
// its rows are copied once into the DuckDB file, 50,000 at a time, so the history survives the upgrade.
import { DatabaseSync } from 'node:sqlite';
import type { QueryLogEntry } from '../../api/dns.ts';

interface LegacyRow {
  seq: number;
  at: number;
  client: string;
  transport: 'udp' | 'tcp';
  qname: string;
  qtype: number;
  rcode: number;
  upstream: string | null;
  latency_ms: number;
  cache: 'hit' | 'miss' | 'stale' | null;
  rrl: 'slip' | 'drop' | null;
  flattened: number;
}

const batch = 50_000;

export async function importLegacySqlite(path: string, append: (rows: QueryLogEntry[]) => Promise<void>): Promise<number> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const page = db.prepare('SELECT * FROM queries WHERE seq > ? ORDER BY seq LIMIT ?');
    let after = 0;
    let copied = 0;
    for (;;) {
      const rows = page.all(after, batch) as unknown as LegacyRow[];
      if (rows.length === 0) return copied;
      await append(
        rows.map((row) => ({
          seq: row.seq,
          at: row.at,
          client: row.client,
          transport: row.transport,
          qname: row.qname,
          qtype: row.qtype,
          rcode: row.rcode,
          upstream: row.upstream,
          // The node:sqlite store kept no route.
          route: null,
          latencyMs: row.latency_ms,
          cache: row.cache,
          rrl: row.rrl,
          flattened: row.flattened === 1,
          answers: null,
        })),
      );
      copied += rows.length;
      after = rows[rows.length - 1]!.seq;
    }
  } finally {
    db.close();
  }
}
