import { useCallback, useSyncExternalStore } from 'react';
import type { ApiClient, ConnectionState } from '../api/client.ts';

/** The client's connection state, re-rendering on every change. */
export function useConnection(client: ApiClient): ConnectionState {
  const subscribe = useCallback((listener: () => void) => client.onConnection(listener), [client]);
  return useSyncExternalStore(subscribe, () => client.connection());
}
