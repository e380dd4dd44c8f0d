// An empty vault's first step: its first account, an admin, who then creates the others.
import { useId, useRef, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { PasswordField, takeNewPassword } from './credentials.tsx';
import { FormStatus } from './form-status.tsx';
import { KeyTypeSelect, type KeyType } from './key-type-select.tsx';
import { describeVaultError, minPasswordLength, userNamePattern } from './vault-contract.ts';

export function CreateVault({ client, onCreated }: { client: ApiClient; onCreated(): void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [type, setType] = useState<KeyType>('ECC');
  const password = useRef<HTMLInputElement>(null);
  const again = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const newPassword = takeNewPassword(password, again, minPasswordLength);
    const admin = name.trim();
    if (!userNamePattern.test(admin)) return setError('Name: letters, digits, _ and -, starting with a letter or digit.');
    if (typeof newPassword !== 'string') return setError(newPassword.error);
    setBusy(true);
    setError(null);
    try {
      await client.call('vault.create', { name: admin, password: newPassword, type });
      onCreated();
    } catch (err) {
      setError(`Could not create the vault: ${describeVaultError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="vault-form vault-create" onSubmit={(event) => void create(event)} aria-labelledby={`${id}-title`} data-testid="vault-create-form">
      <h2 id={`${id}-title`}>Create the vault</h2>
      <p>
        The vault is empty. Its first account is an admin: it creates the other accounts. Its password unlocks its private
        key and cannot be recovered, so keep it somewhere safe.
      </p>
      <fieldset className="vault-form-row" disabled={busy}>
        <label>
          <span>Admin name</span>
          <input type="text" value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" spellCheck={false} size={16} required />
        </label>
        <PasswordField label={`Password (${minPasswordLength}+ characters)`} inputRef={password} />
        <PasswordField label="Password again" inputRef={again} />
        <KeyTypeSelect value={type} onChange={setType} />
        <button type="submit">{busy ? 'Creating…' : 'Create the vault'}</button>
      </fieldset>
      <FormStatus result={busy ? 'Deriving the key from the password takes a moment…' : null} error={error} />
    </form>
  );
}
