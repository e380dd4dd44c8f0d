// An empty vault's first step: its first account, an admin, who then creates the others.
import { useId, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { RoleNote } from '../../components/role-note.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { isError } from './credentials.tsx';
import { NewAccountFields, useNewAccount } from './new-account.tsx';
import { describeVaultError, minPasswordLength } from './vault-contract.ts';

export function CreateVault({ client, onCreated }: { client: ApiClient; onCreated(): void }) {
  const id = useId();
  const account = useNewAccount({ name: 'Admin name', password: `Password (${minPasswordLength}+ characters)`, again: 'Password again' });
  const call = useFormCall(describeVaultError);
  const can = useCan('vault.create');

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const admin = account.take();
    if (isError(admin)) return call.fail(admin.error);
    await call.run('Could not create the vault', async () => {
      await client.call('vault.create', admin);
      onCreated();
    });
  };

  return (
    <form className="form vault-create" onSubmit={(event) => void create(event)} aria-labelledby={`${id}-title`} data-testid="vault-create-form">
      <h2 id={`${id}-title`}>Create the vault</h2>
      <p>
        The vault is empty. Its first account is an admin: it creates the other accounts. Its password unlocks its private key and cannot be recovered, so keep
        it somewhere safe.
      </p>
      <RoleNote can={can} testId="vault-create-forbidden" />
      <fieldset className="form-row" disabled={call.busy || !can.allowed} title={can.reason}>
        <NewAccountFields input={account} />
        <button type="submit" data-testid="vault-create-submit">
          {call.busy ? 'Creating…' : 'Create the vault'}
        </button>
      </fieldset>
      <FormStatus result={call.busy ? 'Deriving the key from the password takes a moment…' : null} error={call.error} />
    </form>
  );
}
