// The vault at a glance: its id, counts, and the audit chain. A broken chain is an alarm that
// stays on top of the page until the log verifies again.
import type { ReactNode } from 'react';
import { Badge } from '../../components/badge.tsx';
import { PersistState } from './persistence-panel.tsx';
import type { VaultStatus } from './vault-contract.ts';

export function StatusHeader({ status, stale }: { status: VaultStatus; stale: boolean }) {
  const { audit } = status;
  return (
    <section
      aria-label="Vault status"
      className={`vault-status${stale ? ' stale' : ''}`}
      data-testid="vault-status"
      data-initialized={status.initialized}
      data-chain={audit.ok ? 'intact' : 'broken'}
    >
      {!audit.ok && (
        <div className="vault-chain-broken" role="alert" data-testid="vault-chain-broken">
          <strong>Audit chain BROKEN at entry {audit.brokenAt ?? '?'}</strong>
          <span>{audit.reason ?? 'an entry does not match the hash of the one before it'}.</span>
          <span>
            Entries from there on may have been altered or removed. Keep the vault's data folder as it is (copy it for investigation) and do not rely on the log
            after entry {audit.brokenAt ?? '?'}.
          </span>
        </div>
      )}
      <dl className="vault-facts">
        <Fact label="Vault">{status.initialized ? <code title={status.vaultId}>{status.vaultId}</code> : <Badge tone="warn">not created</Badge>}</Fact>
        <Fact label="Accounts" num testId="vault-status-users">
          {status.users}
        </Fact>
        <Fact label="Live delegations" num testId="vault-status-live">
          {status.live}
        </Fact>
        <Fact label="Open orders" num testId="vault-status-orders">
          {status.openOrders}
        </Fact>
        <Fact label="Audit chain">
          {audit.ok ? <Badge tone="ok">intact</Badge> : <Badge tone="bad">BROKEN at {audit.brokenAt ?? '?'}</Badge>}
          <span className="unit">{audit.entries} entries</span>
        </Fact>
        <Fact label="Persistence" testId="vault-status-persist">
          <PersistState persist={status.persist} />
        </Fact>
        {status.redOctoberImported && (
          <Fact label="Origin">
            <Badge tone="info">Red October import</Badge>
          </Fact>
        )}
      </dl>
    </section>
  );
}

function Fact({ label, num, testId, children }: { label: string; num?: boolean; testId?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={num ? 'num' : undefined} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
