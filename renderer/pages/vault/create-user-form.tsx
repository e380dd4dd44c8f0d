// An admin creates an account (Red October let anyone do this; here only an admin can).
import { useId, useRef, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { CredentialsFields, PasswordField, isError, takeNewPassword, useCredentials } from './credentials.tsx';
import { FormStatus } from './form-status.tsx';
import { KeyTypeSelect, type KeyType } from './key-type-select.tsx';
import { describeVaultError, minPasswordLength, userNamePattern } from './vault-contract.ts';

export function CreateUserForm({ client, onCreated }: { client: ApiClient; onCreated(): void }) {
  const id = useId();
  const admin = useCredentials();
  const [name, setName] = useState('');
  const [type, setType] = useState<KeyType>('ECC');
  const password = useRef<HTMLInputElement>(null);
  const again = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = admin.take();
    const newPassword = takeNewPassword(password, again, minPasswordLength);
    const account = name.trim();
    setResult(null);
    if (!userNamePattern.test(account)) return setError('New account name: letters, digits, _ and -, starting with a letter or digit.');
    if (typeof newPassword !== 'string') return setError(newPassword.error);
    if (isError(credentials)) return setError(credentials.error);
    setBusy(true);
    setError(null);
    try {
      await client.call('vault.createUser', { admin: credentials, name: account, password: newPassword, type });
      setResult(`Created ${account} (${type}). Give ${account} the password through a separate channel.`);
      setName('');
      onCreated();
    } catch (err) {
      setError(`Could not create ${account}: ${describeVaultError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="vault-form" onSubmit={(event) => void create(event)} aria-labelledby={`${id}-title`} data-testid="vault-create-user-form">
      <h3 id={`${id}-title`} className="visually-hidden">
        Create an account
      </h3>
      <fieldset className="vault-form-row" disabled={busy}>
        <legend className="visually-hidden">The new account</legend>
        <label>
          <span>New account name</span>
          <input type="text" value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" spellCheck={false} size={14} />
        </label>
        <PasswordField label="Its password" inputRef={password} />
        <PasswordField label="Its password again" inputRef={again} />
        <KeyTypeSelect value={type} onChange={setType} />
      </fieldset>
      <div className="vault-form-row">
        <CredentialsFields input={admin} who="Admin" disabled={busy} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </div>
      <FormStatus result={result} error={error} testId="vault-create-user" />
    </form>
  );
}
