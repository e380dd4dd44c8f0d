// Retention of the history store: rows older than maxAgeMs go, then, while the file's used blocks
// exceed maxBytes, the oldest rows of each table go in proportion. DuckDB does not shrink its file
// after a DELETE; it reuses the freed blocks after a checkpoint, so the file stops growing at
// about maxBytes instead.
import type { DuckDBConnection } from '@duckdb/node-api';

export interface RetentionLimits {
  /** Rows older than this go (default 7 days). */
  maxAgeMs: number;
  /** The used part of the file is kept under this (default 2 GiB, ~130 M queries at 15 MB a million). */
  maxBytes: number;
}

export const defaultRetention: RetentionLimits = { maxAgeMs: 7 * 86_400_000, maxBytes: 2 * 1024 ** 3 };

const tables = ['queries', 'requests'] as const;

/** Bytes of the file's blocks in use (the WAL is checkpointed first, so it counts too). */
export async function usedBytes(connection: DuckDBConnection): Promise<number> {
  await connection.run('CHECKPOINT');
  const [row] = (
    await connection.runAndReadAll('SELECT used_blocks * block_size FROM pragma_database_size() WHERE database_name = current_database()')
  ).getRowsJS();
  return Number(row?.[0] ?? 0);
}

async function rowCount(connection: DuckDBConnection, table: string): Promise<number> {
  return Number((await connection.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRowsJS()[0]![0]);
}

export interface TrimResult {
  byAge: number;
  bySize: number;
  usedBytes: number;
}

export async function trim(connection: DuckDBConnection, limits: RetentionLimits, now: number): Promise<TrimResult> {
  let byAge = 0;
  for (const table of tables) byAge += Number((await connection.runAndReadAll(`DELETE FROM ${table} WHERE ts < ?`, [now - limits.maxAgeMs])).rowsChanged);
  let bySize = 0;
  let used = await usedBytes(connection);
  // Blocks are freed whole, so a few rounds may be needed; each removes at least a tenth more.
  for (let round = 0; round < 8 && used > limits.maxBytes; round++) {
    const share = Math.min(1, Math.max(0.1, 1 - limits.maxBytes / used));
    for (const table of tables) {
      const rows = await rowCount(connection, table);
      const drop = Math.ceil(rows * share);
      if (drop === 0) continue;
      // The oldest `drop` rows: the cut-off is the drop-th smallest time.
      const cut = (await connection.runAndReadAll(`SELECT ts FROM ${table} ORDER BY ts LIMIT 1 OFFSET ?`, [drop - 1])).getRowsJS()[0]?.[0];
      if (cut === undefined) continue;
      bySize += Number((await connection.runAndReadAll(`DELETE FROM ${table} WHERE ts <= ?`, [Number(cut)])).rowsChanged);
    }
    used = await usedBytes(connection);
  }
  return { byAge, bySize, usedBytes: used };
}
