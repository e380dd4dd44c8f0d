// The Railgun engine's status, polled every second.
import { ErrorCode, type RailgunStatus } from '../../../engine/api/index.ts';
import { ClientError, type ApiClient } from '../../api/client.ts';
import { usePolling } from '../../components/use-polling.ts';

export interface RailgunStatusView {
  status: RailgunStatus | null;
  error: unknown;
  /** Set while the host answers that the railgun engine is not enabled or not running. */
  unavailable: ClientError | null;
  /** Polls again now, after an action changed the state. */
  refresh(): void;
}

export function useRailgunStatus(client: ApiClient): RailgunStatusView {
  const { data, error, refresh } = usePolling(() => client.call('railgun.status', {}), 1000, [client]);
  const unavailable = error instanceof ClientError && error.code === ErrorCode.engineUnavailable ? error : null;
  return { status: data, error, unavailable, refresh };
}
