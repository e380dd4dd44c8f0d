// The `vault.changes` stream as a counter per kind: a panel puts its counter in its polling key,
// so it asks again as soon as something it shows changed, instead of waiting for its next poll.
import { useEffect, useState } from 'react';
import type { ApiClient } from '../../api/client.ts';
import type { VaultChangeKind } from './vault-contract.ts';

export type ChangeVersions = Record<VaultChangeKind, number>;

const initial: ChangeVersions = { delegations: 0, orders: 0, users: 0, audit: 0 };
const retryMs = 3000;

export function useVaultChanges(client: ApiClient): ChangeVersions {
  const [versions, setVersions] = useState(initial);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = client.subscribe(
      'vault.changes',
      {},
      (change) => {
        if (active) setVersions((current) => ({ ...current, [change.kind]: current[change.kind] + 1 }));
      },
      () => {
        if (!active) return;
        // Usually the engine is not enabled or not up yet; the panels still poll meanwhile.
        retry = setTimeout(() => setAttempt((n) => n + 1), retryMs);
      },
    );
    // Changes missed while the stream was down: every panel asks again once it is back.
    if (attempt > 0)
      setVersions((current) => ({ delegations: current.delegations + 1, orders: current.orders + 1, users: current.users + 1, audit: current.audit + 1 }));
    return () => {
      active = false;
      clearTimeout(retry);
      unsubscribe();
    };
  }, [client, attempt]);

  return versions;
}
