// The vault's accounts, and what admins do to them. Every admin action is confirmed with the
// admin's own name and password in the form that sends it. Accounts registered without an admin
// (Red October's `ro create-user`) wait here, pending, for an admin to approve or reject them.
import { useState, type FormEvent, type Ref } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { FormStatus } from '../../components/form-status.tsx';
import { formatLocalTime } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { RoleGate } from '../../components/role-gate.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { ChangePassword } from './change-password.tsx';
import { CreateUserForm } from './create-user-form.tsx';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { ImportRedOctober } from './import-redoctober.tsx';
import { RowForm } from './row-form.tsx';
import { describeVaultError, type VaultUser } from './vault-contract.ts';

type Command = 'admin' | 'revoke' | 'delete' | 'approve' | 'reject';

const verbs: Record<Command, { button: string; done: (name: string) => string }> = {
  admin: { button: 'Make admin', done: (name) => `${name} is an admin now.` },
  revoke: { button: 'Revoke admin', done: (name) => `${name} is no longer an admin.` },
  delete: { button: 'Delete', done: (name) => `Deleted ${name}.` },
  approve: { button: 'Approve', done: (name) => `${name} is approved: the account can delegate, encrypt and decrypt now.` },
  reject: { button: 'Reject', done: (name) => `Rejected ${name}: the account is gone.` },
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
  const modify = useCan('vault.modify');

  return (
    <Panel headingId="vault-users-heading" title="Accounts" headingRef={headingRef} error={error} data-testid="vault-users">
      <DataTable columns={['Name', 'Key', 'Role', 'Key id', 'Created', { action: 'Admin actions' }]} empty={users?.length === 0 && 'No accounts.'}>
        <tbody>
          {users?.map((user) => (
            <tr key={user.name} data-testid={`vault-user-${user.name}`} data-admin={user.admin} data-pending={user.pendingUntil !== null}>
              <th scope="row">
                {user.name}
                {user.legacy && (
                  <span className="after-badge" title="Still holds its Red October record; it moves to this vault's key derivation at its first login.">
                    <Badge tone="warn">legacy (Red October)</Badge>
                  </span>
                )}
              </th>
              <td>{user.type}</td>
              <td>
                {user.pendingUntil !== null ? (
                  <span
                    title={`Registered without an admin; it can do nothing until approved, and is removed at ${formatLocalTime(Date.parse(user.pendingUntil))} if nobody decides.`}
                  >
                    <Badge tone="warn">pending approval</Badge>
                  </span>
                ) : user.admin ? (
                  <Badge tone="info">admin</Badge>
                ) : (
                  <span className="muted">user</span>
                )}
              </td>
              <td>
                <code title={user.keyId}>{user.keyId.slice(0, 16)}</code>
              </td>
              <td>{formatLocalTime(Date.parse(user.createdAt))}</td>
              <td className="action">
                {user.pendingUntil !== null ? (
                  <>
                    <button
                      type="button"
                      onClick={() => setPending({ target: user.name, command: 'approve' })}
                      disabled={!modify.allowed}
                      title={modify.reason}
                    >
                      Approve
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setPending({ target: user.name, command: 'reject' })}
                      aria-label={`Reject ${user.name}`}
                      disabled={!modify.allowed}
                      title={modify.reason}
                    >
                      Reject
                    </button>
                  </>
                ) : user.admin ? (
                  <button
                    type="button"
                    onClick={() => setPending({ target: user.name, command: 'revoke' })}
                    disabled={admins <= 1 || !modify.allowed}
                    title={modify.reason ?? (admins <= 1 ? 'The last admin stays an admin.' : undefined)}
                  >
                    Revoke admin
                  </button>
                ) : (
                  <button type="button" onClick={() => setPending({ target: user.name, command: 'admin' })} disabled={!modify.allowed} title={modify.reason}>
                    Make admin
                  </button>
                )}
                {user.pendingUntil === null && (
                  <button
                    type="button"
                    className="danger"
                    onClick={() => setPending({ target: user.name, command: 'delete' })}
                    aria-label={`Delete ${user.name}`}
                    disabled={!modify.allowed}
                    title={modify.reason}
                  >
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
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
      <FormStatus result={done} error={null} testId="vault-modify" />
      <div className="vault-subforms">
        <details>
          <summary>Create an account (admin)</summary>
          <RoleGate procedure="vault.createUser">
            <CreateUserForm client={client} onCreated={onChanged} />
          </RoleGate>
        </details>
        <details>
          <summary>Import Red October vault files (admin)</summary>
          <RoleGate procedure="vault.importRedOctober">
            <ImportRedOctober client={client} onImported={onChanged} />
          </RoleGate>
        </details>
        <details>
          <summary>Change my password</summary>
          <RoleGate procedure="vault.changePassword">
            <ChangePassword client={client} />
          </RoleGate>
        </details>
      </div>
    </Panel>
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
  const admin = useCredentials();
  const call = useFormCall(describeVaultError);
  const verb = verbs[command];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = admin.take();
    if (isError(credentials)) return call.fail(credentials.error);
    if (
      command === 'delete' &&
      !window.confirm(
        `Delete the account ${target}?\n\nIts private key is gone for good: ciphertexts that need ${target} can no longer be decrypted through that owner.`,
      )
    )
      return;
    if (command === 'reject' && !window.confirm(`Reject the account ${target}?\n\nIt is removed; whoever asked for it can register again.`)) return;
    await call.run(`Could not ${verb.button.toLowerCase()} ${target}`, async () => {
      await client.call('vault.modify', { admin: credentials, target, command });
      onDone(verb.done(target));
    });
  };

  return (
    <RowForm title={`${verb.button} ${target}: confirm as an admin`} testId="vault-modify-form" onSubmit={(event) => void submit(event)} onCancel={onCancel}>
      <div className="form-row">
        <CredentialsFields input={admin} who="Admin" disabled={call.busy} />
        <button type="submit" disabled={call.busy} className={command === 'delete' || command === 'reject' ? 'danger' : undefined}>
          {call.busy ? 'Checking…' : verb.button}
        </button>
        <button type="button" onClick={onCancel} disabled={call.busy}>
          Cancel
        </button>
      </div>
      <FormStatus result={null} error={call.error} />
    </RowForm>
  );
}
