// Delegation persistence (engines.vault.persist, Red October's persist): its state and policy, the
// owners restoring, and the two actions: a persist owner restores (their key waits for the others),
// an admin deletes the stored delegations. Shown only when persistence is configured.
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { Badge } from '../../components/badge.tsx';
import { FormStatus } from '../../components/form-status.tsx';
import { formatLocalDateTime } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { AdminActionForm } from './admin-action-form.tsx';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { DurationInput, durationDraft, limitsOf } from './limits-input.tsx';
import { describeVaultError, type VaultStatus } from './vault-contract.ts';

type Persist = VaultStatus['persist'];

export function PersistState({ persist }: { persist: Persist }) {
  if (persist.state === 'disabled') return <Badge tone="neutral">off</Badge>;
  if (persist.state === 'active') return <Badge tone="ok">active</Badge>;
  return <Badge tone="warn">inactive: waiting for restore</Badge>;
}

export function PersistencePanel({ client, persist, onChanged }: { client: ApiClient; persist: Persist; onChanged(): void }) {
  const [open, setOpen] = useState<'restore' | 'reset' | null>(null);
  return (
    <Panel
      headingId="vault-persist-heading"
      title="Persisted delegations"
      aside={<PersistState persist={persist} />}
      data-testid="vault-persist"
      data-state={persist.state}
    >
      <dl className="vault-facts">
        <div>
          <dt>Restored by</dt>
          <dd>
            {persist.minimum} of {persist.owners.join(', ')}
          </dd>
        </div>
        <div>
          <dt>Restoring now</dt>
          <dd data-testid="vault-persist-restoring">{persist.restoring.join(', ') || <span className="muted">nobody</span>}</dd>
        </div>
        <div>
          <dt>Stored</dt>
          <dd>{persist.writtenAt === null ? <span className="muted">nothing</span> : formatLocalDateTime(persist.writtenAt)}</dd>
        </div>
      </dl>
      {persist.error && (
        <p className="notice error" role="alert">
          {persist.error}
        </p>
      )}
      {persist.state === 'inactive' && (
        <p className="notice" role="status">
          The delegations stored before the vault restarted are not live: {persist.minimum} of {persist.owners.join(', ')} restore them with their passwords.
        </p>
      )}
      <div className="form-row">
        <button
          type="button"
          aria-expanded={open === 'restore'}
          onClick={() => setOpen(open === 'restore' ? null : 'restore')}
          disabled={persist.state !== 'inactive'}
        >
          Restore…
        </button>
        <button type="button" className="danger" aria-expanded={open === 'reset'} onClick={() => setOpen(open === 'reset' ? null : 'reset')}>
          Reset persisted…
        </button>
      </div>
      {open === 'restore' && <RestoreForm client={client} onDone={onChanged} />}
      {open === 'reset' && <ResetForm client={client} onDone={onChanged} />}
    </Panel>
  );
}

function RestoreForm({ client, onDone }: { client: ApiClient; onDone(): void }) {
  const id = useId();
  const me = useCredentials();
  const [duration, setDuration] = useState(durationDraft(1, 'hours'));
  const call = useFormCall(describeVaultError);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const limits = limitsOf(duration, '1');
    if (isError(limits)) return call.fail(limits.error);
    const credentials = me.take();
    if (isError(credentials)) return call.fail(credentials.error);
    await call.run('Could not restore', async () => {
      const { state } = await client.call('vault.restore', { credentials, seconds: limits.seconds });
      onDone();
      return state === 'active' ? 'Restored: the stored delegations are live again.' : `${credentials.name}'s key waits for the other owners.`;
    });
  };
  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-restore-form">
      <h3 id={`${id}-title`}>Restore the stored delegations (persist owner)</h3>
      <div className="form-row">
        <DurationInput label="Wait for the others" value={duration} onChange={setDuration} disabled={call.busy} />
        <CredentialsFields input={me} who="Your" disabled={call.busy} />
        <button type="submit" disabled={call.busy}>
          {call.busy ? 'Restoring…' : 'Restore'}
        </button>
      </div>
      <FormStatus result={call.result} error={call.error} testId="vault-restore" />
    </form>
  );
}

function ResetForm({ client, onDone }: { client: ApiClient; onDone(): void }) {
  return (
    <AdminActionForm
      title="Reset the persisted delegations (admin)"
      confirm={'Delete the stored delegations?\n\nThose not restored yet are gone for good; their owners delegate again.'}
      button={{ idle: 'Reset', busy: 'Resetting…' }}
      failure="Could not reset"
      run={async (admin) => {
        await client.call('vault.resetPersisted', { admin });
        onDone();
        return 'The stored delegations are deleted; the live ones are stored from now on.';
      }}
      testId="vault-reset-persisted"
    />
  );
}
