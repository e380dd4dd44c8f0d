// Anyone changes their own password: the same private key is wrapped again, so every ciphertext
// stays readable.
import { useId, useRef, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, PasswordField, isError, takeNewPassword, useCredentials } from './credentials.tsx';
import { describeVaultError, minPasswordLength } from './vault-contract.ts';

export function ChangePassword({ client }: { client: ApiClient }) {
  const id = useId();
  const me = useCredentials();
  const password = useRef<HTMLInputElement>(null);
  const again = useRef<HTMLInputElement>(null);
  const call = useFormCall(describeVaultError);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const newPassword = takeNewPassword(password, again, minPasswordLength);
    if (isError(credentials)) return call.fail(credentials.error);
    if (typeof newPassword !== 'string') return call.fail(newPassword.error);
    await call.run('Could not change the password', async () => {
      await client.call('vault.changePassword', { name: credentials.name, password: credentials.password, newPassword });
      return `Changed the password of ${credentials.name}.`;
    });
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-password-form">
      <h3 id={`${id}-title`} className="visually-hidden">
        Change my password
      </h3>
      <div className="form-row">
        <CredentialsFields input={me} who="Your" disabled={call.busy} />
        <PasswordField label={`New password (${minPasswordLength}+)`} inputRef={password} disabled={call.busy} />
        <PasswordField label="New password again" inputRef={again} disabled={call.busy} />
        <button type="submit" disabled={call.busy}>
          {call.busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
      <FormStatus result={call.result} error={call.error} />
    </form>
  );
}
