// An owner unlocks their private key into the vault's memory, for a time and a number of uses,
// for named requesters (or, explicitly, anyone) and labels. Approving an order does the same, bound
// to that order; this form is for standing delegations.
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { formatLocalTime } from '../../components/format.ts';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { DurationInput, UsesInput, durationDraft, limitsOf } from './limits-input.tsx';
import { LabelsInput } from './labels-input.tsx';
import { NamePicker } from './name-picker.tsx';
import { describeVaultError } from './vault-contract.ts';

export function DelegateForm({ client, names, onDelegated }: { client: ApiClient; names: readonly string[]; onDelegated(): void }) {
  const id = useId();
  const me = useCredentials();
  const [duration, setDuration] = useState(durationDraft(1, 'hours'));
  const [uses, setUses] = useState('1');
  const [users, setUsers] = useState<string[]>([]);
  const [anyone, setAnyone] = useState(false);
  const [labels, setLabels] = useState<string[]>([]);
  const call = useFormCall(describeVaultError);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const limits = limitsOf(duration, uses);
    if (isError(limits)) return call.fail(limits.error);
    if (!anyone && users.length === 0) return call.fail('For whom: choose the accounts that may use this delegation, or tick "anyone".');
    if (isError(credentials)) return call.fail(credentials.error);
    await call.run('Could not delegate', async () => {
      const { expiresAt } = await client.call('vault.delegate', { credentials, ...limits, users: anyone ? [] : users, anyone, labels });
      onDelegated();
      return `${credentials.name} delegated ${limits.uses} ${limits.uses === 1 ? 'use' : 'uses'} until ${formatLocalTime(expiresAt)}.`;
    });
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-delegate-form">
      <h3 id={`${id}-title`}>Delegate my key</h3>
      <div className="form-row">
        <DurationInput label="For" value={duration} onChange={setDuration} disabled={call.busy} />
        <UsesInput value={uses} onChange={setUses} disabled={call.busy} />
        <NamePicker legend="For whom" names={names} chosen={users} onChange={setUsers} disabled={call.busy || anyone} />
        <label className="check">
          <input
            type="checkbox"
            checked={anyone}
            onChange={(event) => setAnyone(event.target.checked)}
            disabled={call.busy}
            aria-describedby={anyone ? `${id}-anyone` : undefined}
          />
          anyone
        </label>
        <LabelsInput labels={labels} onChange={setLabels} disabled={call.busy} />
      </div>
      {anyone && (
        <p id={`${id}-anyone`} className="notice" role="alert">
          Anyone with an account in this vault may then use your key, within its uses and time: prefer naming the accounts.
        </p>
      )}
      <div className="form-row">
        <CredentialsFields input={me} who="Your" disabled={call.busy} />
        <button type="submit" disabled={call.busy}>
          {call.busy ? 'Delegating…' : 'Delegate'}
        </button>
      </div>
      <FormStatus result={call.result} error={call.error} testId="vault-delegate" />
    </form>
  );
}
