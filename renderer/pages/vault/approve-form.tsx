// An owner approves an order from their own console, with their own password: a delegation bound
// to this order, its ciphertext and its requester, for a time and a number of uses. What is being
// approved is shown first, from the order itself (no password needed to look): who asks and why,
// the ciphertext's owners, rule, labels and hash, who already approved, the time and uses asked.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { formatDuration, formatLocalDateTime } from '../../components/format.ts';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { DurationInput, UsesInput, durationDraft, limitsOf } from './limits-input.tsx';
import { describeAccess } from './access-picker.tsx';
import { RowForm } from './row-form.tsx';
import { describeVaultError, maxSeconds, type VaultOrder } from './vault-contract.ts';

interface Props {
  client: ApiClient;
  order: VaultOrder;
  onDone(message: string): void;
  onCancel(): void;
}

export function ApproveForm({ client, order, onDone, onCancel }: Props) {
  const me = useCredentials();
  // Until about the order's own deadline: an approval cannot usefully outlive it.
  const [duration, setDuration] = useState(() => {
    const seconds = Math.min(maxSeconds, Math.max(1, Math.floor((order.expiresAt - Date.now()) / 1000)));
    return seconds >= 120 ? durationDraft(Math.floor(seconds / 60), 'minutes') : durationDraft(seconds, 'seconds');
  });
  const [uses, setUses] = useState(String(order.uses));
  const call = useFormCall(describeVaultError);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const limits = limitsOf(duration, uses);
    if (isError(limits)) return call.fail(limits.error);
    if (isError(credentials)) return call.fail(credentials.error);
    await call.run('Could not approve', async () => {
      await client.call('vault.approve', { credentials, orderId: order.id, ...limits });
      onDone(`${credentials.name} approved order ${order.id} for ${order.requester}.`);
    });
  };

  return (
    <RowForm
      title={`Approve ${order.requester}'s order as one of its owners (${order.waitingFor.length ? `waiting for ${order.waitingFor.join(', ')}` : 'enough owners have approved'})`}
      testId="vault-approve-form"
      onSubmit={(event) => void submit(event)}
      onCancel={onCancel}
    >
      <OrderDetails order={order} />
      <div className="form-row">
        <CredentialsFields input={me} who="Approver" suggestions={order.waitingFor} disabled={call.busy} />
        <DurationInput label="For" value={duration} onChange={setDuration} disabled={call.busy} />
        <UsesInput value={uses} onChange={setUses} disabled={call.busy} />
        <button type="submit" disabled={call.busy}>
          {call.busy ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" onClick={onCancel} disabled={call.busy}>
          Close
        </button>
      </div>
      <FormStatus result={null} error={call.error} testId="vault-approve" />
    </RowForm>
  );
}

function OrderDetails({ order }: { order: VaultOrder }) {
  const approvedAt = (owner: string) => order.approvals.find((approval) => approval.owner === owner)?.at;
  const rows: [string, ReactNode][] = [
    ['Requested by', order.requester],
    ['Reason', order.reason],
    ['Owners and rule', describeAccess(order.access)],
    ['Labels', order.labels.length ? order.labels.join(', ') : <span className="muted">none</span>],
    ['Ciphertext hash', <code key="hash">{order.ciphertextHash}</code>],
    [
      'Approved by',
      order.delegated.length ? (
        order.delegated
          .map((owner) => {
            const at = approvedAt(owner);
            return at === undefined ? `${owner} (by a delegation)` : `${owner} (${formatLocalDateTime(at)})`;
          })
          .join(', ')
      ) : (
        <span className="muted">nobody yet</span>
      ),
    ],
    ['Waiting for', order.waitingFor.length ? order.waitingFor.join(', ') : <span className="muted">nobody: enough owners have approved</span>],
    [
      'Asked for',
      `${formatDuration(order.expiresAt - order.createdAt)}, ${order.uses} ${order.uses === 1 ? 'use' : 'uses'}, until ${formatLocalDateTime(order.expiresAt)}`,
    ],
  ];
  return (
    <dl className="vault-info" data-testid="vault-approve-details">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
