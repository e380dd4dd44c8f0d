import { useEffect, useState } from 'react';
import type { HostSnapshot } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { describeError } from './errors.ts';

export interface HostSnapshotState {
  snapshot: HostSnapshot | null;
  /** Why the stream ended, if the host ended it; `retry` subscribes again. */
  error: string | null;
  retry(): void;
}

/**
 * The latest engine snapshot from `host.watchEngines`. The transport subscribes again by itself
 * after a reconnect; only a stream the host ended needs `retry`.
 */
export function useHostSnapshot(client: ApiClient): HostSnapshotState {
  const [snapshot, setSnapshot] = useState<HostSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(
    () =>
      client.subscribe(
        'host.watchEngines',
        {},
        (next) => {
          setSnapshot(next);
          setError(null);
        },
        (ended) => {
          if (ended) setError(describeError(ended));
        },
      ),
    [client, attempt],
  );

  return { snapshot, error, retry: () => setAttempt((n) => n + 1) };
}
