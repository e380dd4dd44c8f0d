// The requester withdraws an order; the approvals bound to it end with it.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { FormStatus } from './form-status.tsx';
import { describeVaultError, type VaultOrder } from './vault-contract.ts';

interface Props {
  client: ApiClient;
  order: VaultOrder;
  onDone(message: string): void;
  onCancel(): void;
}

export function CancelOrderForm({ client, order, onDone, onCancel }: Props) {
  const id = useId();
  const me = useCredentials(order.requester);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector<HTMLInputElement>('input[type=password]')?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    if (isError(credentials)) return setError(credentials.error);
    setBusy(true);
    setError(null);
    try {
      await client.call('vault.cancelOrder', { credentials, orderId: order.id });
      onDone(`Cancelled order ${order.id}; its approvals ended.`);
    } catch (err) {
      setError(`Could not cancel: ${describeVaultError(err)}`);
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
      data-testid="vault-cancel-form"
    >
      <h3 id={`${id}-title`}>Cancel this order (its requester, {order.requester}, confirms)</h3>
      <div className="vault-form-row">
        <CredentialsFields input={me} who="Requester" disabled={busy} />
        <button type="submit" className="danger" disabled={busy}>
          {busy ? 'Cancelling…' : 'Cancel order'}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Keep it
        </button>
      </div>
      <FormStatus result={null} error={error} />
    </form>
  );
}
