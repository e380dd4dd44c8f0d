// Anyone changes their own password: the same private key is wrapped again, so every ciphertext
// stays readable.
import { useId, useRef, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { CredentialsFields, PasswordField, isError, takeNewPassword, useCredentials } from './credentials.tsx';
import { FormStatus } from './form-status.tsx';
import { describeVaultError, minPasswordLength } from './vault-contract.ts';

export function ChangePassword({ client }: { client: ApiClient }) {
  const id = useId();
  const me = useCredentials();
  const password = useRef<HTMLInputElement>(null);
  const again = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const newPassword = takeNewPassword(password, again, minPasswordLength);
    setResult(null);
    if (isError(credentials)) return setError(credentials.error);
    if (typeof newPassword !== 'string') return setError(newPassword.error);
    setBusy(true);
    setError(null);
    try {
      await client.call('vault.changePassword', { name: credentials.name, password: credentials.password, newPassword });
      setResult(`Changed the password of ${credentials.name}.`);
    } catch (err) {
      setError(`Could not change the password: ${describeVaultError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="vault-form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-password-form">
      <h3 id={`${id}-title`} className="visually-hidden">
        Change my password
      </h3>
      <div className="vault-form-row">
        <CredentialsFields input={me} who="Your" disabled={busy} />
        <PasswordField label={`New password (${minPasswordLength}+)`} inputRef={password} disabled={busy} />
        <PasswordField label="New password again" inputRef={again} disabled={busy} />
        <button type="submit" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
      <FormStatus result={result} error={error} />
    </form>
  );
}
