// The vault engine as the host sees it: its own process (keys never reach the host or the
// console), the vault file in the data folder, and the vault.* procedures. Calls from the console
// count as one source for the login guard; the Red October HTTPS API counts each client address.
import { join } from 'node:path';
import type { EngineDefinition, RunningEngine } from '../api/engine.ts';
import { vaultConfig, type VaultConfig } from '../api/vault.ts';
import type { Registration } from './accounts.ts';
import { withConsoleOperator } from './operator-context.ts';
import type { PersistOptions } from './persist/persistence.ts';
import { Vault } from './vault.ts';

const consoleSource = 'console';

/** engines.vault.registration and pendingAccountHours as the vault's options (also for `signalbox vault`). */
export function registrationOptions(config: Pick<VaultConfig, 'registration' | 'pendingAccountHours'>): { registration?: Registration; pendingTtlMs?: number } {
  return {
    ...(config.registration ? { registration: config.registration } : {}),
    ...(config.pendingAccountHours ? { pendingTtlMs: config.pendingAccountHours * 3600_000 } : {}),
  };
}

/** engines.vault.persist as the vault's option: the stored delegations' file defaults to the vault file + `.delegations`. */
export function persistOptions(config: Pick<VaultConfig, 'persist'>, vaultPath: string): { persist?: PersistOptions } {
  const { persist } = config;
  return persist ? { persist: { owners: persist.owners, minimum: persist.minimum, path: persist.file ?? `${vaultPath}.delegations` } } : {};
}

export const vaultEngine: EngineDefinition = {
  name: 'vault',
  async start(ctx): Promise<RunningEngine> {
    const config = vaultConfig.parse(ctx.config ?? {});
    const vaultPath = config.file ?? join(ctx.dataDir, 'vault.json');
    const vault = await Vault.open({
      vaultPath,
      auditPath: config.auditFile ?? `${vaultPath}.audit.log`,
      ...registrationOptions(config),
      ...persistOptions(config, vaultPath),
    });
    const status = vault.status();
    if (!status.audit.ok) ctx.log.error('the vault audit log chain is broken', { brokenAt: status.audit.brokenAt, reason: status.audit.reason });
    ctx.log.info('vault open', { users: status.users, vaultId: status.vaultId, persist: status.persist.state });
    if (status.persist.error) ctx.log.error('the stored delegations are unusable', { error: status.persist.error });
    return {
      // The audit log names the console operator each call is made for (operator-context.ts).
      procedures: withConsoleOperator({
        'vault.status': () => vault.status(),
        'vault.create': async ({ name, password, type }) => {
          await vault.accounts.create(name, password, type ?? 'ECC');
          vault.emit('change', 'users');
          return { ok: true as const };
        },
        'vault.createUser': async ({ admin, name, password, type }) => {
          await vault.accounts.createUser(admin, consoleSource, name, password, type ?? 'ECC');
          vault.emit('change', 'users');
          return { ok: true as const };
        },
        'vault.users': () => ({ users: vault.users() }),
        'vault.modify': async ({ admin, target, command }) => {
          await vault.accounts.modify(admin, consoleSource, target, command);
          vault.emit('change', 'users');
          return { ok: true as const };
        },
        'vault.changePassword': async ({ name, password, newPassword }) => {
          await vault.accounts.changePassword({ name, password }, consoleSource, newPassword);
          return { ok: true as const };
        },
        'vault.encrypt': ({ credentials, data, access, labels, usages }) =>
          vault.encrypt(credentials, consoleSource, { data, access, labels: labels ?? [], usages: usages ?? ['decrypt'] }),
        'vault.reEncrypt': ({ credentials, ciphertext, access, labels }) => vault.reEncrypt(credentials, consoleSource, { ciphertext, access, labels }),
        'vault.owners': ({ ciphertext }) => vault.inspect(ciphertext),
        'vault.decrypt': ({ credentials, ciphertext, orderId }) => vault.decrypt(credentials, consoleSource, ciphertext, orderId ?? null),
        'vault.delegate': ({ credentials, seconds, uses, users, anyone, labels }) =>
          vault.delegate(credentials, consoleSource, { seconds, uses, users: users ?? [], anyone: anyone ?? false, labels: labels ?? [] }),
        'vault.purge': async ({ admin }) => ({ purged: await vault.purge(admin, consoleSource) }),
        'vault.restore': async ({ credentials, seconds }) => ({ state: await vault.restore(credentials, consoleSource, seconds) }),
        'vault.resetPersisted': async ({ admin }) => ({ state: await vault.resetPersisted(admin, consoleSource) }),
        'vault.summary': () => vault.summary(),
        'vault.order': async ({ credentials, ciphertext, reason, seconds, uses }) => ({
          order: await vault.order(credentials, consoleSource, { ciphertext, reason, seconds, uses }),
        }),
        'vault.orders': () => ({ orders: vault.listOrders() }),
        'vault.approve': async ({ credentials, orderId, seconds, uses }) => ({
          order: await vault.approve(credentials, consoleSource, { orderId, seconds, uses }),
        }),
        'vault.cancelOrder': async ({ credentials, orderId }) => ({ order: await vault.cancelOrder(credentials, consoleSource, orderId) }),
        'vault.audit': ({ limit, beforeSeq }) => vault.auditEntries(limit ?? 100, beforeSeq),
        'vault.planRedOctoberImport': ({ vaultFiles }) => vault.accounts.planRedOctoberImport(vaultFiles),
        'vault.importRedOctober': async ({ admin, vaultFiles }) => {
          const result = await vault.accounts.importRedOctober(admin, consoleSource, vaultFiles);
          vault.emit('change', 'users');
          return result;
        },
      }),
      streams: {
        'vault.changes': (_params, emit) => {
          const listener = (kind: 'delegations' | 'orders' | 'users' | 'audit') => emit({ kind, at: Date.now() });
          vault.on('change', listener);
          return () => vault.off('change', listener);
        },
      },
      stop: () => vault.close(),
    };
  },
};
