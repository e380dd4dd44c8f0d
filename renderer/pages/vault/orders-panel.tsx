// Decryption orders: the open ones first (who asked, why, which owners approved, time left),
// then the recent history; and the form to place one. Refreshed on every 'orders' change.
import { useEffect, useState, type Ref } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { Badge, type Tone } from '../../components/badge.tsx';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { FormStatus } from '../../components/form-status.tsx';
import { formatDuration, formatLocalDateTime, formatLocalTime } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { useNow } from '../../components/use-now.ts';
import { usePolling } from '../../components/use-polling.ts';
import { ApproveForm } from './approve-form.tsx';
import { CancelOrderForm } from './cancel-order-form.tsx';
import { OrderRequest } from './order-request.tsx';
import { describeVaultError, type VaultOrder } from './vault-contract.ts';

const statusTone: Record<VaultOrder['status'], Tone> = { open: 'info', fulfilled: 'ok', cancelled: 'neutral', expired: 'warn' };

const columns: Column[] = ['Requester', 'Reason', 'Owners (✓ approved)', { num: 'Time left' }, { num: 'Uses' }, 'Satisfied', 'Status', { action: 'Actions' }];

export interface DecryptRequest {
  orderId: string;
  requester: string;
  ciphertextHash: string;
}

interface Props {
  client: ApiClient;
  version: number;
  preset: { ciphertext: string; at: number } | null;
  /** Keeps a ciphertext this page has seen, so Decrypt finds it by the order's hash. */
  remember(hash: string, ciphertext: string): void;
  onDecrypt(request: DecryptRequest): void;
  headingRef: Ref<HTMLHeadingElement>;
}

export function OrdersPanel({ client, version, preset, remember, onDecrypt, headingRef }: Props) {
  const { data, error, refresh } = usePolling(() => client.call('vault.orders', {}), 5000, [client, version]);
  const [action, setAction] = useState<{ id: string; kind: 'approve' | 'cancel' } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [requesting, setRequesting] = useState(false);
  const [approve, cancel, decrypt, request] = [useCan('vault.approve'), useCan('vault.cancelOrder'), useCan('vault.decrypt'), useCan('vault.order')];
  const now = useNow();
  // Encrypt's "Request its decryption" opens the form with that ciphertext in it.
  useEffect(() => {
    if (preset) setRequesting(true);
  }, [preset]);
  const orders = data?.orders ?? [];
  const open = orders.filter((order) => order.status === 'open');
  const history = orders.filter((order) => order.status !== 'open');

  const finish = (message: string) => {
    setAction(null);
    setDone(message);
    refresh();
  };

  const rows = (list: VaultOrder[]) =>
    list.map((order) => {
      // A form stays open only while its order does.
      const acting = action?.id === order.id && order.status === 'open' ? action.kind : null;
      return (
        <tbody key={order.id} data-testid={`vault-order-${order.id}`}>
          <tr data-testid="vault-order" data-status={order.status} data-order-id={order.id} data-satisfied={order.satisfied}>
            <th scope="row">{order.requester}</th>
            <td className="vault-wrap">{order.reason}</td>
            <td>
              <Owners order={order} />
            </td>
            <td className="num">
              {order.status === 'open' ? (
                <TimeLeft until={order.expiresAt} now={now} />
              ) : (
                <span title={formatLocalDateTime(order.createdAt)}>{formatLocalTime(order.createdAt, now)}</span>
              )}
            </td>
            <td className="num">{order.uses}</td>
            <td>
              {order.status !== 'open' ? <span className="muted">—</span> : order.satisfied ? <Badge tone="ok">yes</Badge> : <Badge tone="neutral">no</Badge>}
            </td>
            <td>
              <Badge tone={statusTone[order.status]}>{order.status}</Badge>
            </td>
            <td className="action">
              {order.status === 'open' && (
                <>
                  <button
                    type="button"
                    aria-expanded={acting === 'approve'}
                    onClick={() => setAction(acting === 'approve' ? null : { id: order.id, kind: 'approve' })}
                    disabled={!approve.allowed}
                    title={approve.reason}
                    data-testid="vault-order-approve"
                  >
                    Approve
                  </button>
                  <button
                    type="button"
                    aria-expanded={acting === 'cancel'}
                    onClick={() => setAction(acting === 'cancel' ? null : { id: order.id, kind: 'cancel' })}
                    disabled={!cancel.allowed}
                    title={cancel.reason}
                    data-testid="vault-order-cancel"
                  >
                    Cancel
                  </button>
                  {order.satisfied && (
                    <button
                      type="button"
                      className="primary"
                      onClick={() => onDecrypt({ orderId: order.id, requester: order.requester, ciphertextHash: order.ciphertextHash })}
                      disabled={!decrypt.allowed}
                      title={decrypt.reason}
                      data-testid="vault-order-decrypt"
                    >
                      Decrypt
                    </button>
                  )}
                </>
              )}
            </td>
          </tr>
          {acting && (
            <tr className="vault-form-cell">
              <td colSpan={columns.length}>
                {acting === 'approve' ? (
                  <ApproveForm client={client} order={order} onDone={finish} onCancel={() => setAction(null)} />
                ) : (
                  <CancelOrderForm client={client} order={order} onDone={finish} onCancel={() => setAction(null)} />
                )}
              </td>
            </tr>
          )}
        </tbody>
      );
    });

  return (
    <Panel
      headingId="vault-orders-heading"
      title="Orders"
      headingRef={headingRef}
      error={error !== null && `Cannot read the orders: ${describeVaultError(error)} This panel keeps trying.`}
      data-testid="vault-orders"
    >
      <FormStatus result={done} error={null} testId="vault-orders" />
      <DataTable columns={columns} empty={data && open.length === 0 && 'No outstanding orders.'}>
        {rows(open)}
        {history.length > 0 && (
          <tbody>
            <tr className="subhead">
              <th scope="rowgroup" colSpan={columns.length}>
                History (placed at)
              </th>
            </tr>
          </tbody>
        )}
        {rows(history)}
      </DataTable>
      <div className="form-row">
        <button
          type="button"
          aria-expanded={requesting}
          onClick={() => setRequesting(!requesting)}
          disabled={!request.allowed}
          title={request.reason}
          data-testid="vault-order-open"
        >
          Request decryption…
        </button>
      </div>
      {requesting && request.allowed && (
        <OrderRequest
          client={client}
          preset={preset}
          onInfo={(info, ciphertext) => remember(info.hash, ciphertext)}
          onPlaced={(order, ciphertext) => {
            remember(order.ciphertextHash, ciphertext);
            refresh();
          }}
        />
      )}
    </Panel>
  );
}

function Owners({ order }: { order: VaultOrder }) {
  return (
    <ul className="vault-owners">
      {order.owners.map((owner) => {
        const approval = order.approvals.find((a) => a.owner === owner);
        const delegated = order.delegated.includes(owner);
        return (
          <li
            key={owner}
            data-approved={delegated ? true : undefined}
            title={approval ? `approved ${formatLocalDateTime(approval.at)}` : delegated ? 'delegated for this requester' : 'not yet approved'}
          >
            {owner}
            {delegated ? <span aria-label=" approved"> ✓</span> : <span className="visually-hidden"> (waiting)</span>}
          </li>
        );
      })}
    </ul>
  );
}

function TimeLeft({ until, now }: { until: number; now: number }) {
  const left = until - now;
  return <span title={`until ${formatLocalDateTime(until)}`}>{left > 0 ? formatDuration(left) : 'ending…'}</span>;
}
