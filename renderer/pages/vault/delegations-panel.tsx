// Who has unlocked their key into the vault right now, for whom, with uses and time left (counted
// down here each second, from the engine's seconds left when it answered).
import { useState, type Ref } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { formatDuration, formatLocalDateTime } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { useNow } from '../../components/use-now.ts';
import { usePolling } from '../../components/use-polling.ts';
import { DelegateForm } from './delegate-form.tsx';
import { PurgeForm } from './purge-form.tsx';
import { describeVaultError } from './vault-contract.ts';

interface Props {
  client: ApiClient;
  version: number;
  names: readonly string[];
  headingRef: Ref<HTMLHeadingElement>;
}

export function DelegationsPanel({ client, version, names, headingRef }: Props) {
  const { data, error, refresh } = usePolling(
    async () => {
      const summary = await client.call('vault.summary', {});
      // The engine's clock may differ from this one: count down from its seconds left.
      return { live: summary.live, receivedAt: Date.now() };
    },
    5000,
    [client, version],
  );
  const now = useNow();
  const [open, setOpen] = useState<'delegate' | 'purge' | null>(null);
  const [delegate, purge] = [useCan('vault.delegate'), useCan('vault.purge')];
  const live = data?.live ?? [];

  return (
    <Panel
      headingId="vault-delegations-heading"
      title="Live delegations"
      headingRef={headingRef}
      error={error !== null && `Cannot read the delegations: ${describeVaultError(error)} This panel keeps trying.`}
      data-testid="vault-delegations"
    >
      <DataTable
        columns={['Owner', { num: 'Uses left' }, { num: 'Time left' }, 'For', 'Labels', 'Order']}
        empty={data && live.length === 0 && 'Nobody has delegated: no ciphertext can be decrypted right now.'}
      >
        <tbody>
          {live.map((delegation) => {
            const left = delegation.secondsLeft * 1000 - (now - (data?.receivedAt ?? now));
            return (
              <tr
                key={`${delegation.owner}:${delegation.orderId ?? ''}`}
                data-testid={`vault-delegation-${delegation.owner}`}
                data-order-id={delegation.orderId ?? undefined}
              >
                <th scope="row">{delegation.owner}</th>
                <td className="num">{delegation.uses}</td>
                <td className="num" title={`until ${formatLocalDateTime(delegation.expiresAt)}`}>
                  {left > 0 ? formatDuration(left) : 'ending…'}
                </td>
                <td>{delegation.anyone ? <Badge tone="warn">anyone</Badge> : delegation.users.join(', ') || <span className="muted">nobody</span>}</td>
                <td>{delegation.labels.length ? delegation.labels.join(', ') : <span className="muted">any</span>}</td>
                <td>{delegation.orderId ? <code>{delegation.orderId}</code> : <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>
      <div className="form-row">
        <button
          type="button"
          aria-expanded={open === 'delegate'}
          onClick={() => setOpen(open === 'delegate' ? null : 'delegate')}
          disabled={!delegate.allowed}
          title={delegate.reason}
          data-testid="vault-delegate-open"
        >
          Delegate…
        </button>
        <button
          type="button"
          className="danger"
          aria-expanded={open === 'purge'}
          onClick={() => setOpen(open === 'purge' ? null : 'purge')}
          disabled={live.length === 0 || !purge.allowed}
          title={purge.reason}
          data-testid="vault-purge-open"
        >
          Purge all…
        </button>
      </div>
      {open === 'delegate' && <DelegateForm client={client} names={names} onDelegated={refresh} />}
      {open === 'purge' && <PurgeForm client={client} count={live.length} onPurged={refresh} />}
    </Panel>
  );
}
