// An owner approves an order from their own console, with their own password: a delegation bound
// to this order, its ciphertext and its requester, for a time and a number of uses.
import { useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { DurationInput, UsesInput, durationDraft, limitsOf } from './limits-input.tsx';
import { RowForm } from './row-form.tsx';
import { describeVaultError, maxSeconds, type VaultOrder } from './vault-contract.ts';

interface Props {
  client: ApiClient;
  order: VaultOrder;
  onDone(message: string): void;
  onCancel(): void;
}

export function ApproveForm({ client, order, onDone, onCancel }: Props) {
  const pendingOwners = order.owners.filter((owner) => !order.approvals.some((approval) => approval.owner === owner));
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
      title={`Approve ${order.requester}'s order as one of its owners (${pendingOwners.length ? `waiting for ${pendingOwners.join(', ')}` : 'all have approved'})`}
      testId="vault-approve-form"
      onSubmit={(event) => void submit(event)}
      onCancel={onCancel}
    >
      <p className="muted">Reason given: {order.reason}</p>
      <div className="form-row">
        <CredentialsFields input={me} who="Approver" suggestions={pendingOwners} disabled={call.busy} />
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
