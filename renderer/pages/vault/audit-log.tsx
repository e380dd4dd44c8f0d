// The vault's audit log, newest first, with whether its hash chain verifies. The newest page is
// read again on every 'audit' change; older pages load on demand and stay.
import { useEffect, useState, type Ref } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { formatLocalDateTime, formatLocalTime } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { useNow } from '../../components/use-now.ts';
import { usePolling } from '../../components/use-polling.ts';
import { describeVaultError, type AuditEntry } from './vault-contract.ts';

const pageSize = 50;

interface Props {
  client: ApiClient;
  version: number;
  headingRef: Ref<HTMLHeadingElement>;
}

/** Entries by seq, newest first, without duplicates. */
function merge(a: readonly AuditEntry[], b: readonly AuditEntry[]): AuditEntry[] {
  const bySeq = new Map<number, AuditEntry>();
  for (const entry of [...a, ...b]) bySeq.set(entry.seq, entry);
  return [...bySeq.values()].sort((x, y) => y.seq - x.seq);
}

export function AuditLog({ client, version, headingRef }: Props) {
  const newest = usePolling(() => client.call('vault.audit', { limit: pageSize }), 15_000, [client, version]);
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [olderEnd, setOlderEnd] = useState(false);
  const more = useFormCall(describeVaultError);
  const now = useNow();

  const fresh = newest.data?.entries ?? [];
  // More than a page arrived since the older pages loaded: a gap would hide entries, so start over.
  const gap = older.length > 0 && fresh.length > 0 && fresh.at(-1)!.seq > older[0]!.seq + 1;
  useEffect(() => {
    if (!gap) return;
    setOlder([]);
    setOlderEnd(false);
  }, [gap]);
  const entries = merge(fresh, gap ? [] : older);
  const chain = newest.data?.chain ?? null;
  const oldest = entries.at(-1)?.seq;
  const end = olderEnd || (older.length === 0 && newest.data !== null && fresh.length < pageSize) || oldest === 1;

  const loadMore = async () => {
    if (oldest === undefined) return;
    await more.run('Could not load older entries', async () => {
      const page = await client.call('vault.audit', { limit: pageSize, beforeSeq: oldest });
      setOlder((current) => merge(current, page.entries));
      if (page.entries.length < pageSize) setOlderEnd(true);
    });
  };

  return (
    <Panel
      headingId="vault-audit-heading"
      title="Audit log"
      headingRef={headingRef}
      aside={
        chain &&
        (chain.ok ? (
          <span>
            <Badge tone="ok">chain intact</Badge>
            <span className="unit">{chain.entries} entries verified</span>
          </span>
        ) : (
          <span role="alert">
            <Badge tone="bad">chain BROKEN at entry {chain.brokenAt ?? '?'}</Badge> <span className="error">{chain.reason}</span>
          </span>
        ))
      }
      error={newest.error !== null && `Cannot read the audit log: ${describeVaultError(newest.error)} This panel keeps trying.`}
      data-testid="vault-audit"
      data-chain={chain ? (chain.ok ? 'intact' : 'broken') : undefined}
    >
      <DataTable columns={[{ num: '#' }, 'Time', 'Event', 'Actor', 'Details']} empty={newest.data && entries.length === 0 && 'No entries yet.'}>
        <tbody>
          {entries.map((entry) => {
            const at = Date.parse(entry.at);
            const broken = chain && !chain.ok && chain.brokenAt !== null && entry.seq >= chain.brokenAt;
            return (
              <tr
                key={entry.seq}
                data-testid="vault-audit-entry"
                data-event={entry.event}
                data-broken={broken || undefined}
                className={broken ? 'vault-broken-row' : undefined}
              >
                <td className="num" title={`hash ${entry.hash}\nprevious ${entry.prev}`}>
                  {entry.seq}
                </td>
                <td title={formatLocalDateTime(at)}>{formatLocalTime(at, now)}</td>
                <td>
                  <code>{entry.event}</code>
                </td>
                <td>{entry.actor ?? <span className="muted">—</span>}</td>
                <td className="vault-wrap">
                  <Details details={entry.details} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>
      {more.error && (
        <p className="error" role="alert">
          {more.error}
        </p>
      )}
      {!end && entries.length > 0 && (
        <button type="button" onClick={() => void loadMore()} disabled={more.busy}>
          {more.busy ? 'Loading…' : `Load ${pageSize} older`}
        </button>
      )}
    </Panel>
  );
}

function Details({ details }: { details: AuditEntry['details'] }) {
  const pairs = Object.entries(details);
  if (pairs.length === 0) return <span className="muted">—</span>;
  return (
    <span className="vault-details">
      {pairs.map(([key, value]) => (
        <span key={key}>
          <span className="muted">{key}</span>{' '}
          {value === null || (Array.isArray(value) && value.length === 0) ? '—' : Array.isArray(value) ? value.join(', ') : String(value)}
        </span>
      ))}
    </span>
  );
}
