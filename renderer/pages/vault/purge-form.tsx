// An admin ends every delegation at once (the vault wipes the keys from its memory).
import type { ApiClient } from '../../api/client.ts';
import { AdminActionForm } from './admin-action-form.tsx';

export function PurgeForm({ client, count, onPurged }: { client: ApiClient; count: number; onPurged(): void }) {
  return (
    <AdminActionForm
      title="Purge all delegations (admin)"
      confirm={`End all ${count} live delegations now?\n\nEvery pending decryption then needs its owners to delegate or approve again.`}
      button={{ idle: 'Purge all', busy: 'Purging…' }}
      failure="Could not purge"
      run={async (admin) => {
        const { purged } = await client.call('vault.purge', { admin });
        onPurged();
        return `Ended ${purged} ${purged === 1 ? 'delegation' : 'delegations'}.`;
      }}
      testId="vault-purge"
    />
  );
}
