// The vault's accounts, and what admins do to them. Every admin action is confirmed with the
// admin's own name and password in the form that sends it.
import { useEffect, useId, useRef, useState, type FormEvent, type Ref } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { Badge } from '../../components/badge.tsx';
import { formatLocalTime } from '../../components/format.ts';
import { ChangePassword } from './change-password.tsx';
import { CreateUserForm } from './create-user-form.tsx';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { FormStatus } from './form-status.tsx';
import { ImportRedOctober } from './import-redoctober.tsx';
import { describeVaultError, type VaultUser } from './vault-contract.ts';

type Command = 'admin' | 'revoke' | 'delete';

const verbs: Record<Command, { button: string; done: (name: string) => string }> = {
  admin: { button: 'Make admin', done: (name) => `${name} is an admin now.` },
  revoke: { button: 'Revoke admin', done: (name) => `${name} is no longer an admin.` },
  delete: { button: 'Delete', done: (name) => `Deleted ${name}.` },
};

interface Props {
  client: ApiClient;
  users: readonly VaultUser[] | null;
  error: string | null;
  onChanged(): void;
  headingRef: Ref<HTMLHeadingElement>;
}

export function UsersPanel({ client, users, error, onChanged, headingRef }: Props) {
  const [pending, setPending] = useState<{ target: string; command: Command } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const admins = users?.filter((user) => user.admin).length ?? 0;

  return (
    <section aria-labelledby="vault-users-heading" className="vault-panel" data-testid="vault-users">
      <h2 id="vault-users-heading" ref={headingRef} tabIndex={-1}>
        Accounts
      </h2>
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <div className="table-scroll">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Role</th>
              <th scope="col">Key id</th>
              <th scope="col">Created</th>
              <th scope="col" className="action">
                <span className="visually-hidden">Admin actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users?.map((user) => (
              <tr key={user.name} data-testid={`vault-user-${user.name}`} data-admin={user.admin}>
                <th scope="row">
                  {user.name}
                  {user.legacy && (
                    <span className="after-badge" title="Still holds its Red October record; it moves to this vault's key derivation at its first login.">
                      <Badge tone="warn">legacy (Red October)</Badge>
                    </span>
                  )}
                </th>
                <td>{user.type}</td>
                <td>{user.admin ? <Badge tone="info">admin</Badge> : <span className="muted">user</span>}</td>
                <td>
                  <code title={user.keyId}>{user.keyId.slice(0, 16)}</code>
                </td>
                <td>{formatLocalTime(Date.parse(user.createdAt))}</td>
                <td className="action vault-actions">
                  {user.admin ? (
                    <button type="button" onClick={() => setPending({ target: user.name, command: 'revoke' })} disabled={admins <= 1} title={admins <= 1 ? 'The last admin stays an admin.' : undefined}>
                      Revoke admin
                    </button>
                  ) : (
                    <button type="button" onClick={() => setPending({ target: user.name, command: 'admin' })}>
                      Make admin
                    </button>
                  )}
                  <button type="button" className="danger" onClick={() => setPending({ target: user.name, command: 'delete' })} aria-label={`Delete ${user.name}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {users?.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No accounts.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {pending && (
        <ModifyForm
          key={`${pending.target}:${pending.command}`}
          client={client}
          {...pending}
          onDone={(message) => {
            setPending(null);
            setDone(message);
            onChanged();
          }}
          onCancel={() => setPending(null)}
        />
      )}
      <p role="status" className="vault-form-result" data-testid="vault-modify-result">
        {done}
      </p>
      <div className="vault-subforms">
        <details>
          <summary>Create an account (admin)</summary>
          <CreateUserForm client={client} onCreated={onChanged} />
        </details>
        <details>
          <summary>Import a Red October vault file (admin)</summary>
          <ImportRedOctober client={client} onImported={onChanged} />
        </details>
        <details>
          <summary>Change my password</summary>
          <ChangePassword client={client} />
        </details>
      </div>
    </section>
  );
}

interface ModifyProps {
  client: ApiClient;
  target: string;
  command: Command;
  onDone(message: string): void;
  onCancel(): void;
}

function ModifyForm({ client, target, command, onDone, onCancel }: ModifyProps) {
  const id = useId();
  const admin = useCredentials();
  const form = useRef<HTMLFormElement>(null);
  // The form opens from a row's button: the keyboard goes on to its first field.
  useEffect(() => form.current?.querySelector('input')?.focus(), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const verb = verbs[command];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = admin.take();
    if (isError(credentials)) return setError(credentials.error);
    if (command === 'delete' && !window.confirm(`Delete the account ${target}?\n\nIts private key is gone for good: ciphertexts that need ${target} can no longer be decrypted through that owner.`)) return;
    setBusy(true);
    setError(null);
    try {
      await client.call('vault.modify', { admin: credentials, target, command });
      onDone(verb.done(target));
    } catch (err) {
      setError(`Could not ${verb.button.toLowerCase()} ${target}: ${describeVaultError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={form}
      className="vault-form"
      onSubmit={(event) => void submit(event)}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
      aria-labelledby={`${id}-title`}
      data-testid="vault-modify-form"
    >
      <h3 id={`${id}-title`}>
        {verb.button} {target}: confirm as an admin
      </h3>
      <div className="vault-form-row">
        <CredentialsFields input={admin} who="Admin" disabled={busy} />
        <button type="submit" disabled={busy} className={command === 'delete' ? 'danger' : undefined}>
          {busy ? 'Checking…' : verb.button}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
      <FormStatus result={null} error={error} />
    </form>
  );
}
