// An owner approves an order from their own console, with their own password: a delegation bound
// to this order, its ciphertext and its requester, for a time and a number of uses.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { DurationInput, durationDraft, durationSeconds, usesCount } from './duration-input.tsx';
import { FormStatus } from './form-status.tsx';
import { describeVaultError, maxSeconds, maxUses, type VaultOrder } from './vault-contract.ts';

interface Props {
  client: ApiClient;
  order: VaultOrder;
  onDone(message: string): void;
  onCancel(): void;
}

export function ApproveForm({ client, order, onDone, onCancel }: Props) {
  const id = useId();
  const pendingOwners = order.owners.filter((owner) => !order.approvals.some((approval) => approval.owner === owner));
  const me = useCredentials();
  // Until about the order's own deadline: an approval cannot usefully outlive it.
  const [duration, setDuration] = useState(() => {
    const seconds = Math.min(maxSeconds, Math.max(1, Math.floor((order.expiresAt - Date.now()) / 1000)));
    return seconds >= 120 ? durationDraft(Math.floor(seconds / 60), 'minutes') : durationDraft(seconds, 'seconds');
  });
  const [uses, setUses] = useState(String(order.uses));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector('input')?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const seconds = durationSeconds(duration, 'Time');
    const count = usesCount(uses, maxUses);
    if (typeof seconds !== 'number') return setError(seconds.error);
    if (typeof count !== 'number') return setError(count.error);
    if (isError(credentials)) return setError(credentials.error);
    setBusy(true);
    setError(null);
    try {
      await client.call('vault.approve', { credentials, orderId: order.id, seconds, uses: count });
      onDone(`${credentials.name} approved order ${order.id} for ${order.requester}.`);
    } catch (err) {
      setError(`Could not approve: ${describeVaultError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={form}
      className="vault-form vault-inline-form"
      onSubmit={(event) => void submit(event)}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
      aria-labelledby={`${id}-title`}
      data-testid="vault-approve-form"
    >
      <h3 id={`${id}-title`}>
        Approve {order.requester}'s order as one of its owners ({pendingOwners.length ? `waiting for ${pendingOwners.join(', ')}` : 'all have approved'})
      </h3>
      <p className="muted">Reason given: {order.reason}</p>
      <div className="vault-form-row">
        <CredentialsFields input={me} who="Approver" suggestions={pendingOwners} disabled={busy} />
        <DurationInput label="For" value={duration} onChange={setDuration} disabled={busy} />
        <label>
          <span>Uses</span>
          <input type="number" inputMode="numeric" min={1} max={maxUses} value={uses} onChange={(event) => setUses(event.target.value)} size={5} disabled={busy} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Close
        </button>
      </div>
      <FormStatus result={null} error={error} testId="vault-approve" />
    </form>
  );
}
