// The header's connection indicator. Only the state itself is a live region: a countdown that
// changed every second would be read out every second.
import type { ApiClient, ConnectionState } from '../api/client.ts';
import { secondsUntil } from './format.ts';
import { useConnection } from './use-connection.ts';
import { useNow } from './use-now.ts';

function describe(state: ConnectionState): string {
  switch (state.status) {
    case 'open':
      return 'Connected';
    case 'connecting':
      return 'Connecting…';
    case 'closed':
      return `Disconnected: ${state.reason}`;
  }
}

export function ConnectionStatus({ client }: { client: ApiClient }) {
  const state = useConnection(client);
  return (
    <div className="connection" data-testid="connection" data-status={state.status}>
      <span className="connection-dot" aria-hidden="true" /> <span aria-live="polite">{describe(state)}</span>{' '}
      {state.status === 'closed' && state.retryAt !== null && <RetryCountdown retryAt={state.retryAt} />}
    </div>
  );
}

function RetryCountdown({ retryAt }: { retryAt: number }) {
  const now = useNow();
  return <span className="muted">— retrying in {secondsUntil(retryAt, now)} s</span>;
}
