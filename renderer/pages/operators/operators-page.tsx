// Admins manage who may use the console: operators and their roles, live sessions, and the API
// tokens of machines (a new token is shown here once, then never again).
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import type { Role } from '../../../engine/api/identity.ts';
import { describeError } from '../../components/errors.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { formatLocalDateTime as formatTime } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { usePolling } from '../../components/use-polling.ts';

const roleChoices: Role[] = ['viewer', 'operator', 'approver', 'admin'];

interface RoleSelectProps {
  value: Role;
  onChange(role: Role): void;
  label: string;
  testId?: string;
  disabled?: boolean;
  title?: string;
}

function RoleSelect({ value, onChange, label, testId, disabled, title }: RoleSelectProps) {
  return (
    <select aria-label={label} disabled={disabled} title={title} value={value} onChange={(event) => onChange(event.target.value as Role)} data-testid={testId}>
      {roleChoices.map((role) => (
        <option key={role} value={role}>
          {role}
        </option>
      ))}
    </select>
  );
}

/** Reached by its address by a role that may not list operators: says so instead of asking the host. */
export function OperatorsPage({ client }: { client: ApiClient }) {
  const can = useCan('host.operators');
  if (!can.allowed) {
    return (
      <p className="notice" data-testid="operators-forbidden" data-needs-role={can.needs}>
        {can.reason}
      </p>
    );
  }
  return <OperatorsAdmin client={client} />;
}

function OperatorsAdmin({ client }: { client: ApiClient }) {
  const id = useId();
  const may = {
    add: useCan('host.addOperator'),
    setRole: useCan('host.setOperatorRole'),
    remove: useCan('host.removeOperator'),
    endSession: useCan('host.revokeSession'),
    makeToken: useCan('host.createApiToken'),
    revokeToken: useCan('host.revokeApiToken'),
  };
  const operators = usePolling(() => client.call('host.operators', {}), 5000);
  const sessions = usePolling(() => client.call('host.sessions', {}), 5000);
  const tokens = usePolling(() => client.call('host.apiTokens', {}), 5000);
  const action = useFormCall();
  const [newOperator, setNewOperator] = useState({ name: '', role: 'viewer' as Role, password: '' });
  const [newToken, setNewToken] = useState({ name: '', role: 'viewer' as Role, scope: 'metrics' as 'metrics' | 'api' });
  const [shownToken, setShownToken] = useState<string | null>(null);

  const act = (failure: string, work: () => Promise<string>, refresh: () => void) =>
    void action.run(failure, async () => {
      const said = await work();
      refresh();
      return said;
    });

  const addOperator = (event: FormEvent) => {
    event.preventDefault();
    const { name, role, password } = newOperator;
    act(
      `Could not add ${name}`,
      async () => {
        await client.call('host.addOperator', { name, role, password });
        setNewOperator({ name: '', role: 'viewer', password: '' });
        return `Added ${name} (${role}).`;
      },
      operators.refresh,
    );
  };

  const addToken = (event: FormEvent) => {
    event.preventDefault();
    act(
      `Could not make the token ${newToken.name}`,
      async () => {
        const { token } = await client.call('host.createApiToken', newToken);
        setShownToken(token);
        setNewToken({ name: '', role: 'viewer', scope: 'metrics' });
        return `Token ${newToken.name} made: copy it now, it is not shown again.`;
      },
      tokens.refresh,
    );
  };

  return (
    <div className="page">
      <FormStatus result={action.result} error={action.error} testId="operators-action" />
      <Panel headingId={`${id}-operators`} title="Operators" error={operators.error ? describeError(operators.error) : undefined}>
        <table className="table" data-testid="operators">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(operators.data?.operators ?? []).map((operator) => (
              <tr key={operator.name} data-testid={`operator-${operator.name}`}>
                <td>{operator.name}</td>
                <td>
                  <RoleSelect
                    disabled={!may.setRole.allowed}
                    title={may.setRole.reason}
                    label={`Role of ${operator.name}`}
                    value={operator.role}
                    onChange={(role) =>
                      act(
                        `Could not change the role of ${operator.name}`,
                        async () => {
                          await client.call('host.setOperatorRole', { name: operator.name, role });
                          return `${operator.name} is now ${role}; they sign in again.`;
                        },
                        operators.refresh,
                      )
                    }
                  />
                </td>
                <td>{formatTime(operator.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    disabled={!may.remove.allowed}
                    title={may.remove.reason}
                    onClick={() =>
                      window.confirm(`Remove ${operator.name}? Their sessions end now.`) &&
                      act(
                        `Could not remove ${operator.name}`,
                        async () => {
                          await client.call('host.removeOperator', { name: operator.name });
                          return `Removed ${operator.name}.`;
                        },
                        operators.refresh,
                      )
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form className="form-row" onSubmit={addOperator} aria-label="Add an operator">
          <label>
            <span>Name</span>
            <input
              value={newOperator.name}
              onChange={(e) => setNewOperator({ ...newOperator, name: e.target.value })}
              required
              spellCheck={false}
              data-testid="operator-new-name"
            />
          </label>
          <label>
            <span>Role</span>
            <RoleSelect
              label="Role of the new operator"
              value={newOperator.role}
              onChange={(role) => setNewOperator({ ...newOperator, role })}
              testId="operator-new-role"
            />
          </label>
          <label>
            <span>First password (10+ characters)</span>
            <input
              type="password"
              autoComplete="new-password"
              value={newOperator.password}
              onChange={(e) => setNewOperator({ ...newOperator, password: e.target.value })}
              required
              data-testid="operator-new-password"
            />
          </label>
          <button type="submit" disabled={action.busy || !may.add.allowed} title={may.add.reason} data-testid="operator-add">
            Add operator
          </button>
        </form>
      </Panel>

      <Panel headingId={`${id}-sessions`} title="Sessions" error={sessions.error ? describeError(sessions.error) : undefined}>
        <table className="table" data-testid="sessions">
          <thead>
            <tr>
              <th>Operator</th>
              <th>From</th>
              <th>Last seen</th>
              <th>Ends</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(sessions.data?.sessions ?? []).map((session) => (
              <tr key={session.id}>
                <td>{session.operator}</td>
                <td title={session.userAgent}>{session.source}</td>
                <td>{formatTime(session.lastSeenAt)}</td>
                <td>{formatTime(session.endsAt)}</td>
                <td>
                  <button
                    type="button"
                    disabled={!may.endSession.allowed}
                    title={may.endSession.reason}
                    onClick={() =>
                      act(
                        'Could not end the session',
                        async () => {
                          await client.call('host.revokeSession', { id: session.id });
                          return `Ended a session of ${session.operator}.`;
                        },
                        sessions.refresh,
                      )
                    }
                  >
                    End
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>

      <Panel headingId={`${id}-tokens`} title="API tokens" error={tokens.error ? describeError(tokens.error) : undefined}>
        {shownToken && (
          <p className="notice" data-testid="token-shown-once">
            New token (shown once): <code>{shownToken}</code>{' '}
            <button type="button" onClick={() => setShownToken(null)}>
              Done
            </button>
          </p>
        )}
        <table className="table" data-testid="tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Scope</th>
              <th>Made by</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(tokens.data?.tokens ?? []).map((token) => (
              <tr key={token.name}>
                <td>{token.name}</td>
                <td>{token.role}</td>
                <td>{token.scope}</td>
                <td>{token.createdBy}</td>
                <td>
                  <button
                    type="button"
                    disabled={!may.revokeToken.allowed}
                    title={may.revokeToken.reason}
                    onClick={() =>
                      window.confirm(`Revoke ${token.name}? What uses it stops working.`) &&
                      act(
                        `Could not revoke ${token.name}`,
                        async () => {
                          await client.call('host.revokeApiToken', { name: token.name });
                          return `Revoked ${token.name}.`;
                        },
                        tokens.refresh,
                      )
                    }
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form className="form-row" onSubmit={addToken} aria-label="Make an API token">
          <label>
            <span>Name</span>
            <input value={newToken.name} onChange={(e) => setNewToken({ ...newToken, name: e.target.value })} required spellCheck={false} />
          </label>
          <label>
            <span>Role</span>
            <RoleSelect label="Role of the new token" value={newToken.role} onChange={(role) => setNewToken({ ...newToken, role })} />
          </label>
          <label>
            <span>Scope</span>
            <select value={newToken.scope} onChange={(e) => setNewToken({ ...newToken, scope: e.target.value as 'metrics' | 'api' })}>
              <option value="metrics">metrics (Prometheus)</option>
              <option value="api">api (scripts)</option>
            </select>
          </label>
          <button type="submit" disabled={action.busy || !may.makeToken.allowed} title={may.makeToken.reason}>
            Make token
          </button>
        </form>
      </Panel>
    </div>
  );
}
