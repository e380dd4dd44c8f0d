// The requester withdraws an order; the approvals bound to it end with it.
import type { FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { RowForm } from './row-form.tsx';
import { describeVaultError, type VaultOrder } from './vault-contract.ts';

interface Props {
  client: ApiClient;
  order: VaultOrder;
  onDone(message: string): void;
  onCancel(): void;
}

export function CancelOrderForm({ client, order, onDone, onCancel }: Props) {
  const me = useCredentials(order.requester);
  const call = useFormCall(describeVaultError);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    if (isError(credentials)) return call.fail(credentials.error);
    await call.run('Could not cancel', async () => {
      await client.call('vault.cancelOrder', { credentials, orderId: order.id });
      onDone(`Cancelled order ${order.id}; its approvals ended.`);
    });
  };

  return (
    <RowForm
      title={`Cancel this order (its requester, ${order.requester}, confirms)`}
      testId="vault-cancel-form"
      onSubmit={(event) => void submit(event)}
      onCancel={onCancel}
    >
      <div className="form-row">
        <CredentialsFields input={me} who="Requester" disabled={call.busy} />
        <button type="submit" className="danger" disabled={call.busy}>
          {call.busy ? 'Cancelling…' : 'Cancel order'}
        </button>
        <button type="button" onClick={onCancel} disabled={call.busy}>
          Keep it
        </button>
      </div>
      <FormStatus result={null} error={call.error} />
    </RowForm>
  );
}
