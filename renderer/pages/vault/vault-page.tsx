// The Vault page: the vault's state on top, then what operators do with it: orders to approve,
// encrypt, decrypt, live delegations, accounts, and the audit log. Each panel shows its own errors
// next to the form that caused them, so one failing call never blanks the page.
import { useCallback, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { EngineUnavailable } from '../../components/engine-unavailable.tsx';
import { describeError } from '../../components/errors.ts';
import { useConnection } from '../../components/use-connection.ts';
import { usePolling } from '../../components/use-polling.ts';
import { AuditLog } from './audit-log.tsx';
import { CreateVault } from './create-vault.tsx';
import { DecryptPanel } from './decrypt-panel.tsx';
import { DelegationsPanel } from './delegations-panel.tsx';
import { EncryptPanel } from './encrypt-panel.tsx';
import { OrdersPanel, type DecryptRequest } from './orders-panel.tsx';
import { PersistencePanel } from './persistence-panel.tsx';
import { StatusHeader } from './status-header.tsx';
import { UsersPanel } from './users-panel.tsx';
import { useVaultChanges } from './use-vault-changes.ts';
import './vault.css';
import { describeVaultError, isEngineUnavailable } from './vault-contract.ts';

/** Ciphertexts this page has seen, by hash, so an order's Decrypt finds its ciphertext. */
const keptCiphertexts = 20;

export function VaultPage({ client }: { client: ApiClient }) {
  const versions = useVaultChanges(client);
  const connected = useConnection(client).status === 'open';
  const status = usePolling(() => client.call('vault.status', {}), 3000, [client, versions.users, versions.delegations, versions.orders, versions.audit]);
  const unavailable = isEngineUnavailable(status.error) ? status.error : null;
  const ready = status.data?.initialized === true && unavailable === null;
  // Asked again whenever the engine comes back or the number of accounts changes.
  const users = usePolling(() => client.call('vault.users', {}), 15_000, [client, versions.users, ready, status.data?.users]);
  // Pending accounts can neither own a ciphertext nor use a delegation: not offered as names.
  const names = users.data?.users.filter((user) => user.pendingUntil === null).map((user) => user.name) ?? [];

  const ciphertexts = useRef(new Map<string, string>());
  const remember = useCallback((hash: string, ciphertext: string) => {
    const kept = ciphertexts.current;
    kept.delete(hash);
    kept.set(hash, ciphertext);
    for (const oldest of kept.keys()) {
      if (kept.size <= keptCiphertexts) break;
      kept.delete(oldest);
    }
  }, []);
  const lookup = useCallback((hash: string) => ciphertexts.current.get(hash), []);
  const [orderPreset, setOrderPreset] = useState<{ ciphertext: string; at: number } | null>(null);
  const [decryptRequest, setDecryptRequest] = useState<(DecryptRequest & { at: number }) | null>(null);

  const headings = {
    orders: useRef<HTMLHeadingElement>(null),
    encrypt: useRef<HTMLHeadingElement>(null),
    decrypt: useRef<HTMLHeadingElement>(null),
    delegations: useRef<HTMLHeadingElement>(null),
    users: useRef<HTMLHeadingElement>(null),
    audit: useRef<HTMLHeadingElement>(null),
  };

  // Not enabled needs a config change and a host restart; only a restart in progress keeps the panels.
  if (unavailable && (!status.data || /not enabled/.test(unavailable.message))) {
    return (
      <EngineUnavailable title="vault" testId="vault-unavailable" reason={unavailable} config={'engines:\n  vault:\n    enabled: true'}>
        <p>The vault file is kept in the host's data folder.</p>
      </EngineUnavailable>
    );
  }
  if (!status.data) {
    return status.error !== null ? (
      <p className="notice error" role="alert">
        Cannot read the vault's state: {describeVaultError(status.error)} This page keeps trying.
      </p>
    ) : (
      <p className="muted">Asking the vault…</p>
    );
  }

  const stale = !connected || unavailable !== null;
  return (
    <div className="page vault-page">
      {unavailable && (
        <p className="notice" role="status">
          The vault engine is restarting ({unavailable.message}); live delegations end with it, and owners delegate or approve again once it is back.
        </p>
      )}
      {!unavailable && status.error !== null && connected && (
        <p className="notice error" role="alert">
          The vault's state stopped updating: {describeError(status.error)}
        </p>
      )}
      {!connected && <p className="notice">Not connected: this is the last state the host sent; it updates again once reconnected.</p>}
      <StatusHeader status={status.data} stale={stale} />
      {!status.data.initialized ? (
        <CreateVault client={client} onCreated={status.refresh} />
      ) : (
        <>
          <nav className="vault-jump" aria-label="Vault panels">
            {(
              [
                ['orders', 'Orders'],
                ['encrypt', 'Encrypt'],
                ['decrypt', 'Decrypt'],
                ['delegations', 'Delegations'],
                ['users', 'Accounts'],
                ['audit', 'Audit log'],
              ] as const
            ).map(([key, label]) => (
              <button key={key} type="button" className="link-button" onClick={() => jumpTo(headings[key].current)}>
                {label}
              </button>
            ))}
          </nav>
          <OrdersPanel
            client={client}
            version={versions.orders + versions.delegations}
            preset={orderPreset}
            remember={remember}
            onDecrypt={(request) => setDecryptRequest({ ...request, at: Date.now() })}
            headingRef={headings.orders}
          />
          <div className="panel-row">
            <EncryptPanel
              client={client}
              names={names}
              onEncrypted={(result) => remember(result.info.hash, result.ciphertext)}
              onRequest={(ciphertext) => {
                setOrderPreset({ ciphertext, at: Date.now() });
                jumpTo(headings.orders.current);
              }}
              headingRef={headings.encrypt}
            />
            <DecryptPanel client={client} request={decryptRequest} lookup={lookup} remember={remember} headingRef={headings.decrypt} />
          </div>
          <DelegationsPanel client={client} version={versions.delegations} names={names} headingRef={headings.delegations} />
          {status.data.persist.state !== 'disabled' && <PersistencePanel client={client} persist={status.data.persist} onChanged={status.refresh} />}
          <UsersPanel
            client={client}
            users={users.data?.users ?? null}
            error={users.error !== null && !isEngineUnavailable(users.error) ? `Cannot read the accounts: ${describeVaultError(users.error)}` : null}
            onChanged={users.refresh}
            headingRef={headings.users}
          />
          <AuditLog client={client} version={versions.audit} headingRef={headings.audit} />
        </>
      )}
    </div>
  );
}

function jumpTo(heading: HTMLHeadingElement | null): void {
  heading?.scrollIntoView({ block: 'start' });
  heading?.focus({ preventScroll: true });
}
