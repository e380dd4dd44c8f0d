// An admin ends every delegation at once (the vault wipes the keys from its memory).
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { FormStatus } from './form-status.tsx';
import { describeVaultError } from './vault-contract.ts';

export function PurgeForm({ client, count, onPurged }: { client: ApiClient; count: number; onPurged(): void }) {
  const id = useId();
  const admin = useCredentials();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = admin.take();
    setResult(null);
    if (isError(credentials)) return setError(credentials.error);
    if (!window.confirm(`End all ${count} live delegations now?\n\nEvery pending decryption then needs its owners to delegate or approve again.`)) return;
    setBusy(true);
    setError(null);
    try {
      const { purged } = await client.call('vault.purge', { admin: credentials });
      setResult(`Ended ${purged} ${purged === 1 ? 'delegation' : 'delegations'}.`);
      onPurged();
    } catch (err) {
      setError(`Could not purge: ${describeVaultError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="vault-form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-purge-form">
      <h3 id={`${id}-title`}>Purge all delegations (admin)</h3>
      <div className="vault-form-row">
        <CredentialsFields input={admin} who="Admin" disabled={busy} />
        <button type="submit" className="danger" disabled={busy}>
          {busy ? 'Purging…' : 'Purge all'}
        </button>
      </div>
      <FormStatus result={result} error={error} testId="vault-purge" />
    </form>
  );
}
