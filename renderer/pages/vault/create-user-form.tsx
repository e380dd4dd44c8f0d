// An admin creates an account (Red October let anyone do this; here only an admin can).
import { useId, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { NewAccountFields, useNewAccount } from './new-account.tsx';
import { describeVaultError } from './vault-contract.ts';

export function CreateUserForm({ client, onCreated }: { client: ApiClient; onCreated(): void }) {
  const id = useId();
  const admin = useCredentials();
  const account = useNewAccount({ name: 'New account name', password: 'Its password', again: 'Its password again' });
  const call = useFormCall(describeVaultError);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = admin.take();
    const created = account.take();
    if (isError(created)) return call.fail(created.error);
    if (isError(credentials)) return call.fail(credentials.error);
    await call.run(`Could not create ${created.name}`, async () => {
      await client.call('vault.createUser', { admin: credentials, ...created });
      account.setName('');
      onCreated();
      return `Created ${created.name} (${created.type}). Give ${created.name} the password through a separate channel.`;
    });
  };

  return (
    <form className="form" onSubmit={(event) => void create(event)} aria-labelledby={`${id}-title`} data-testid="vault-create-user-form">
      <h3 id={`${id}-title`} className="visually-hidden">
        Create an account
      </h3>
      <fieldset className="form-row" disabled={call.busy}>
        <legend className="visually-hidden">The new account</legend>
        <NewAccountFields input={account} />
      </fieldset>
      <div className="form-row">
        <CredentialsFields input={admin} who="Admin" disabled={call.busy} />
        <button type="submit" disabled={call.busy}>
          {call.busy ? 'Creating…' : 'Create account'}
        </button>
      </div>
      <FormStatus result={call.result} error={call.error} testId="vault-create-user" />
    </form>
  );
}
