// An admin ends every delegation at once (the vault wipes the keys from its memory).
import { useId, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { describeVaultError } from './vault-contract.ts';

export function PurgeForm({ client, count, onPurged }: { client: ApiClient; count: number; onPurged(): void }) {
  const id = useId();
  const admin = useCredentials();
  const call = useFormCall(describeVaultError);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = admin.take();
    if (isError(credentials)) return call.fail(credentials.error);
    if (!window.confirm(`End all ${count} live delegations now?\n\nEvery pending decryption then needs its owners to delegate or approve again.`)) return;
    await call.run('Could not purge', async () => {
      const { purged } = await client.call('vault.purge', { admin: credentials });
      onPurged();
      return `Ended ${purged} ${purged === 1 ? 'delegation' : 'delegations'}.`;
    });
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-purge-form">
      <h3 id={`${id}-title`}>Purge all delegations (admin)</h3>
      <div className="form-row">
        <CredentialsFields input={admin} who="Admin" disabled={call.busy} />
        <button type="submit" className="danger" disabled={call.busy}>
          {call.busy ? 'Purging…' : 'Purge all'}
        </button>
      </div>
      <FormStatus result={call.result} error={call.error} testId="vault-purge" />
    </form>
  );
}
