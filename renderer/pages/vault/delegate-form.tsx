// An owner unlocks their private key into the vault's memory, for a time and a number of uses,
// for named requesters (or, explicitly, anyone) and labels. Approving an order does the same, bound
// to that order; this form is for standing delegations.
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { formatLocalTime } from '../../components/format.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { DurationInput, durationDraft, durationSeconds, usesCount } from './duration-input.tsx';
import { FormStatus } from './form-status.tsx';
import { LabelsInput } from './labels-input.tsx';
import { NamePicker } from './name-picker.tsx';
import { describeVaultError, maxUses } from './vault-contract.ts';

export function DelegateForm({ client, names, onDelegated }: { client: ApiClient; names: readonly string[]; onDelegated(): void }) {
  const id = useId();
  const me = useCredentials();
  const [duration, setDuration] = useState(durationDraft(1, 'hours'));
  const [uses, setUses] = useState('1');
  const [users, setUsers] = useState<string[]>([]);
  const [anyone, setAnyone] = useState(false);
  const [labels, setLabels] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const seconds = durationSeconds(duration, 'Time');
    const count = usesCount(uses, maxUses);
    setResult(null);
    if (typeof seconds !== 'number') return setError(seconds.error);
    if (typeof count !== 'number') return setError(count.error);
    if (!anyone && users.length === 0) return setError('For whom: choose the accounts that may use this delegation, or tick "anyone".');
    if (isError(credentials)) return setError(credentials.error);
    setBusy(true);
    setError(null);
    try {
      const { expiresAt } = await client.call('vault.delegate', { credentials, seconds, uses: count, users: anyone ? [] : users, anyone, labels });
      setResult(`${credentials.name} delegated ${count} ${count === 1 ? 'use' : 'uses'} until ${formatLocalTime(expiresAt)}.`);
      onDelegated();
    } catch (err) {
      setError(`Could not delegate: ${describeVaultError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="vault-form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-delegate-form">
      <h3 id={`${id}-title`}>Delegate my key</h3>
      <div className="vault-form-row">
        <DurationInput label="For" value={duration} onChange={setDuration} disabled={busy} />
        <label>
          <span>Uses</span>
          <input type="number" inputMode="numeric" min={1} max={maxUses} value={uses} onChange={(event) => setUses(event.target.value)} size={5} disabled={busy} />
        </label>
        <NamePicker legend="For whom" names={names} chosen={users} onChange={setUsers} disabled={busy || anyone} />
        <label className="check">
          <input type="checkbox" checked={anyone} onChange={(event) => setAnyone(event.target.checked)} disabled={busy} aria-describedby={anyone ? `${id}-anyone` : undefined} />
          anyone
        </label>
        <LabelsInput labels={labels} onChange={setLabels} disabled={busy} />
      </div>
      {anyone && (
        <p id={`${id}-anyone`} className="notice" role="alert">
          Anyone with an account in this vault may then use your key, within its uses and time: prefer naming the accounts.
        </p>
      )}
      <div className="vault-form-row">
        <CredentialsFields input={me} who="Your" disabled={busy} />
        <button type="submit" disabled={busy}>
          {busy ? 'Delegating…' : 'Delegate'}
        </button>
      </div>
      <FormStatus result={result} error={error} testId="vault-delegate" />
    </form>
  );
}
