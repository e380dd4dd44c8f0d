// The vault: encrypt to owners, delegate, order and approve, decrypt. Authorization comes before
// any use is spent: the ciphertext is verified and its usages, labels and requester checked, and
// only a decryption that succeeds spends one use of each delegation it needed. Ciphertexts in our
// format and in Red October's (after an import) are read; new ones are always ours.
import { EventEmitter } from 'node:events';
import { ApiError } from '../api/errors.ts';
import type { AccessStructure, PersistState, VaultCredentials, VaultOrder } from '../api/vault.ts';
import { consoleOperator } from './operator-context.ts';
import { Accounts, redOctoberKeyOf, type AccountOptions } from './accounts.ts';
import { fromBase64, toBase64 } from './crypto/bytes.ts';
import { accessOwners, predicateTree } from './crypto/access.ts';
import { chooseOwners, decryptPayload, encryptPayload, inspectPayload } from './crypto/envelope.ts';
import type { PrivateKeyRef, PublicKeyRef } from './crypto/keys.ts';
import { predicateNames, type PredicateNode } from './crypto/predicate.ts';
import { DelegationStore, type Delegation } from './delegations.ts';
import { KdfGate, LoginGuard, type GuardOptions } from '../common/guard.ts';
import { OrderBook, type Order } from './orders.ts';
import { DelegationPersistence, type PersistOptions } from './persist/persistence.ts';
import { rsaFormats, signWithSshKey, type SshSignature } from './ssh/signing-key.ts';
import { decryptRedOctoberCiphertext } from './redoctober/ciphertext.ts';
import { matchRedOctober, redOctoberName } from './redoctober-sources.ts';
import { AuditLog, type ChainCheck } from '../common/audit-log.ts';
import type { AuditEvent, VaultAuditLog } from './storage/audit-events.ts';
import { VaultFile } from './storage/vault-file.ts';

export interface VaultOptions extends AccountOptions {
  vaultPath: string;
  auditPath: string;
  guard?: Partial<GuardOptions>;
  /** Red October's delegation persistence (engines.vault.persist); off when absent. */
  persist?: PersistOptions;
}

interface EncryptRequest {
  /** base64 */
  data: string;
  access: AccessStructure;
  labels: string[];
  usages: string[];
}

export type ChangeKind = 'delegations' | 'orders' | 'users' | 'audit';

/** What the console and the APIs learn of a ciphertext (after its authenticity was checked). */
export interface CiphertextInfo {
  format: 'signalbox' | 'redoctober';
  hash: string;
  owners: string[];
  access: AccessStructure;
  labels: string[];
  usages: string[];
  createdBy: string | null;
}

export class Vault extends EventEmitter<{ change: [ChangeKind] }> {
  readonly accounts: Accounts;
  readonly audit: VaultAuditLog;
  private readonly file: VaultFile;
  private readonly delegations: DelegationStore;
  private readonly orders: OrderBook;
  private persistence!: DelegationPersistence;
  private auditCheck: ChainCheck;

  private constructor(file: VaultFile, audit: VaultAuditLog, auditCheck: ChainCheck, options: VaultOptions) {
    super();
    this.file = file;
    this.audit = audit;
    this.auditCheck = auditCheck;
    this.accounts = new Accounts(
      file,
      (...entry) => this.record(...entry),
      new LoginGuard(options.guard),
      new KdfGate(),
      options,
      () => this.emit('change', 'users'),
    );
    this.delegations = new DelegationStore((delegation, reason) => {
      // A timer's callback runs in the context of the call that set it; an expiry is nobody's action.
      if (reason === 'expired') {
        void consoleOperator.exit(async () => {
          await this.record('expire', delegation.owner, { orderId: delegation.order?.id ?? null });
          // Its key leaves the disk too.
          if (delegation.order === null) await this.persistence.save();
        });
      }
      this.emit('change', 'delegations');
    });
    this.orders = new OrderBook((order) => {
      this.delegations.closeOrder(order.id);
      this.emit('change', 'orders');
    });
  }

  static async open(options: VaultOptions): Promise<Vault> {
    const file = await VaultFile.open(options.vaultPath);
    const audit = new AuditLog<AuditEvent>(options.auditPath);
    const check = await audit.open();
    const vault = new Vault(file, audit, check, options);
    vault.persistence = await DelegationPersistence.open(options.persist, {
      vaultId: file.data.vaultId,
      delegations: vault.delegations,
      publicKeyOf: (name) => vault.accounts.publicKeyOf(name),
      record: (...entry) => vault.record(...entry),
      changed: () => vault.emit('change', 'delegations'),
    });
    return vault;
  }

  status() {
    return {
      initialized: this.accounts.initialized,
      vaultId: this.file.data.vaultId,
      users: this.accounts.list().length,
      live: this.delegations.list().length,
      openOrders: this.orders.list().filter((order) => order.status === 'open').length,
      audit: { ...this.auditCheck, entries: this.audit.status.entries },
      redOctoberImported: this.file.data.redOctober.length > 0,
      persist: this.persistence.status(),
      redOctoberVaults: this.file.data.redOctober.map((source) => source.vaultId),
    };
  }

  users() {
    return this.accounts.list().map((user) => ({
      name: user.name,
      type: user.type,
      admin: user.admin,
      keyId: user.keyId,
      createdAt: user.createdAt,
      legacy: user.redOctoberRecord !== undefined,
      pendingUntil: user.pending?.expiresAt ?? null,
    }));
  }

  async encrypt(credentials: VaultCredentials, source: string, request: EncryptRequest): Promise<{ ciphertext: string; info: CiphertextInfo }> {
    if (request.access.kind === 'predicate') requireDistinctPeople(predicateTree(request.access.predicate));
    const { user, key } = await this.accounts.unlock(credentials, source);
    const plaintext = fromBase64(request.data, 'data');
    try {
      return await this.encryptAs(user.name, key, plaintext, request);
    } finally {
      key.privateKey.fill(0);
      plaintext.fill(0);
    }
  }

  /**
   * Decrypts with the delegations the requester may use and encrypts the plaintext again in our
   * format, for a new access structure (default: the same) and labels (default: the same); usages
   * stay as they were, as in Red October. This is how Red October ciphertexts move over.
   */
  async reEncrypt(
    credentials: VaultCredentials,
    source: string,
    request: { ciphertext: string; access?: AccessStructure; labels?: string[] },
  ): Promise<{ ciphertext: string; info: CiphertextInfo; delegates: string[] }> {
    if (request.access?.kind === 'predicate') requireDistinctPeople(predicateTree(request.access.predicate));
    const { user, key } = await this.accounts.unlock(credentials, source);
    try {
      const opened = await this.decryptAs(user.name, request.ciphertext, null);
      try {
        const { info } = opened;
        const sealed = await this.encryptAs(user.name, key, opened.plaintext, {
          access: request.access ?? info.access,
          labels: request.labels ?? info.labels,
          usages: info.usages,
        });
        await this.record('re-encrypt', user.name, { from: info.hash, to: sealed.info.hash, format: info.format });
        return { ...sealed, delegates: opened.delegates };
      } finally {
        opened.plaintext.fill(0);
      }
    } finally {
      key.privateKey.fill(0);
    }
  }

  private async encryptAs(
    author: string,
    key: PrivateKeyRef,
    plaintext: Uint8Array,
    request: Omit<EncryptRequest, 'data'>,
  ): Promise<{ ciphertext: string; info: CiphertextInfo }> {
    const owners = new Map<string, PublicKeyRef>();
    for (const name of accessOwners(request.access)) {
      const publicKey = this.accounts.publicKeyOf(name);
      if (!publicKey) throw new ApiError('E_VAULT_NO_USER', `no account named ${name}`);
      owners.set(name, publicKey);
    }
    const ciphertext = encryptPayload({
      vaultId: this.file.data.vaultId,
      access: request.access,
      labels: request.labels,
      usages: request.usages,
      plaintext,
      owners,
      signer: { name: author, ...key },
      now: new Date(),
    });
    const info = this.inspect(ciphertext);
    await this.record('encrypt', author, { ciphertext: info.hash, owners: info.owners, labels: info.labels });
    return { ciphertext, info };
  }

  /** Verifies a ciphertext (ours or an imported Red October one) and says what it is. */
  inspect(ciphertext: string): CiphertextInfo {
    const sources = this.file.data.redOctober;
    if (sources.length > 0 && looksLikeRedOctober(ciphertext)) {
      const { info } = matchRedOctober(sources, ciphertext);
      if (info.access.kind === 'key-set') throw new ApiError('E_VAULT_FORMAT', 'this Red October ciphertext uses a key set no Red October encryption makes');
      return { format: 'redoctober', hash: info.hash, owners: info.owners, access: info.access, labels: info.labels, usages: info.usages, createdBy: null };
    }
    const summary = inspectPayload(ciphertext, { vaultId: this.file.data.vaultId, publicKeyOf: (name) => this.accounts.publicKeyOf(name) });
    return {
      format: 'signalbox',
      hash: summary.hash,
      owners: summary.owners,
      access: summary.access,
      labels: summary.labels,
      usages: summary.usages,
      createdBy: summary.createdBy,
    };
  }

  async decrypt(
    credentials: VaultCredentials,
    source: string,
    ciphertext: string,
    orderId: string | null,
  ): Promise<{ data: string; delegates: string[]; info: CiphertextInfo }> {
    const requester = await this.accounts.authenticate(credentials, source);
    const { plaintext, delegates, info } = await this.decryptAs(requester.name, ciphertext, orderId);
    try {
      return { data: toBase64(plaintext), delegates, info };
    } finally {
      plaintext.fill(0);
    }
  }

  /** Authorization, then decryption, then the uses: in that order. The caller wipes the plaintext. */
  private async decryptAs(
    requester: string,
    ciphertext: string,
    orderId: string | null,
    purpose: 'decrypt' | 'ssh-sign-with' = 'decrypt',
  ): Promise<{ plaintext: Uint8Array; delegates: string[]; info: CiphertextInfo }> {
    const info = this.inspect(ciphertext);
    const deny = async (code: string, reason: string): Promise<never> => {
      await this.record('deny', requester, { ciphertext: info.hash, reason, orderId });
      throw new ApiError(code, reason);
    };
    if (purpose === 'decrypt' && info.usages.length > 0 && !info.usages.includes('decrypt'))
      await deny('E_VAULT_USAGE', 'this ciphertext may not be decrypted (its usages lack decrypt)');
    // As Red October: signing needs the usage said outright; a ciphertext without usages only decrypts.
    if (purpose === 'ssh-sign-with' && !info.usages.includes('ssh-sign-with'))
      await deny('E_VAULT_USAGE_SIGN', 'this ciphertext may not sign (its usages lack ssh-sign-with)');
    if (orderId !== null) {
      const order = this.orders.list().find((o) => o.id === orderId);
      if (!order || order.requester !== requester || order.ciphertextHash !== info.hash || order.status !== 'open')
        await deny('E_VAULT_NO_ORDER', `no open order ${orderId} of yours for this ciphertext`);
    }
    const usable = this.delegations.usable({ requester, labels: info.labels, ciphertextHash: info.hash, orderId });
    // Distinct people: a name is one owner however many delegations it has.
    const chosen = chooseOwners(info.access, new Set(usable.keys()));
    if (!chosen)
      await deny(
        'E_VAULT_NEED_DELEGATIONS',
        `need more delegated keys: ${describe(info.access)}; delegated for you now: ${[...usable.keys()].sort().join(', ') || 'nobody'}`,
      );
    const used = chosen!.map((name) => usable.get(name)!);
    const plaintext = info.format === 'redoctober' ? this.decryptRedOctober(ciphertext, used) : this.decryptOwn(ciphertext, used);
    this.delegations.spend(used);
    // On disk before the answer: a crash now must not give the spent uses back at the next restore.
    await this.persistence.save();
    if (orderId !== null) this.orders.fulfil(orderId, chosen!);
    await this.record(purpose === 'decrypt' ? 'decrypt' : 'ssh-sign', requester, { ciphertext: info.hash, delegates: chosen!, orderId });
    return { plaintext, delegates: chosen!, info };
  }

  /**
   * Signs `data` with the SSH private key a ciphertext of usage `ssh-sign-with` holds, under the same
   * rule as a decryption (Red October's /ssh-sign-with): the key is opened in this process, used
   * once and wiped; it never leaves the vault.
   */
  async sshSign(
    credentials: VaultCredentials,
    source: string,
    request: { ciphertext: string; data: Uint8Array; rsaFormat?: (typeof rsaFormats)[number]; orderId: string | null },
  ): Promise<SshSignature & { delegates: string[] }> {
    const requester = await this.accounts.authenticate(credentials, source);
    const { plaintext, delegates } = await this.decryptAs(requester.name, request.ciphertext, request.orderId, 'ssh-sign-with');
    try {
      return { ...signWithSshKey(plaintext, request.data, request.rsaFormat), delegates };
    } finally {
      plaintext.fill(0);
    }
  }

  async delegate(
    credentials: VaultCredentials,
    source: string,
    grant: { seconds: number; uses: number; users: string[]; anyone: boolean; labels: string[] },
  ): Promise<{ expiresAt: number }> {
    const { user, key } = await this.accounts.unlock(credentials, source);
    // Named only after the password checked out: who has an account is not for strangers to learn.
    const unknown = grant.users.filter((name) => !this.accounts.get(name));
    if (unknown.length > 0) {
      key.privateKey.fill(0);
      throw new ApiError('E_VAULT_NO_USER', `no account named ${unknown.join(', ')}`);
    }
    const delegation = this.delegations.add({
      owner: user.name,
      key,
      uses: grant.uses,
      durationMs: grant.seconds * 1000,
      users: grant.users,
      anyone: grant.anyone,
      labels: grant.labels,
      order: null,
    });
    await this.record('delegate', user.name, { uses: grant.uses, seconds: grant.seconds, users: grant.users, anyone: grant.anyone, labels: grant.labels });
    await this.persistence.save();
    this.emit('change', 'delegations');
    // An ordinary delegation may serve open orders (Red October's way of approving one).
    this.emit('change', 'orders');
    return { expiresAt: delegation.expiresAt };
  }

  async purge(admin: VaultCredentials, source: string): Promise<number> {
    const caller = await this.accounts.requireAdmin(admin, source);
    const purged = this.delegations.purge();
    await this.record('purge', caller.name, { purged });
    await this.persistence.save();
    return purged;
  }

  /** The persistence state, as Red October's /status and /summary tell it. */
  get persistState(): PersistState {
    return this.persistence.current;
  }

  /**
   * A persist owner sends their key to bring back the delegations stored before a restart (Red
   * October's /restore); `seconds` is how long it waits for the other owners.
   */
  async restore(credentials: VaultCredentials, source: string, seconds: number): Promise<PersistState> {
    this.requirePersistence();
    const { user, key } = await this.accounts.unlock(credentials, source);
    return this.persistence.restore(user.name, key, seconds);
  }

  /** An admin deletes the stored delegations (Red October's /reset-persisted). */
  async resetPersisted(admin: VaultCredentials, source: string): Promise<PersistState> {
    this.requirePersistence();
    const caller = await this.accounts.requireAdmin(admin, source);
    await this.persistence.reset(caller.name);
    return this.persistence.current;
  }

  private requirePersistence(): void {
    if (this.persistence.current === 'disabled') {
      throw new ApiError(
        'E_VAULT_PERSIST_DISABLED',
        'delegation persistence is off (engines.vault.persist is not set): nothing is stored, so there is nothing to restore or reset',
      );
    }
  }

  summary() {
    return { live: this.delegations.list(), users: this.users() };
  }

  async order(
    credentials: VaultCredentials,
    source: string,
    request: { ciphertext: string; reason: string; seconds: number; uses: number },
  ): Promise<VaultOrder> {
    const requester = await this.accounts.authenticate(credentials, source);
    const info = this.inspect(request.ciphertext);
    if (info.usages.length > 0 && !info.usages.includes('decrypt'))
      throw new ApiError('E_VAULT_USAGE', 'this ciphertext may not be decrypted (its usages lack decrypt)');
    const order = this.orders.place({
      requester: requester.name,
      ciphertextHash: info.hash,
      owners: info.owners,
      access: info.access,
      labels: info.labels,
      reason: request.reason,
      uses: request.uses,
      durationMs: request.seconds * 1000,
    });
    await this.record('order', requester.name, { orderId: order.id, ciphertext: info.hash, reason: request.reason, owners: info.owners });
    this.emit('change', 'orders');
    return this.describeOrder(order);
  }

  /** An owner approves with their own password: a delegation bound to this order only. */
  async approve(credentials: VaultCredentials, source: string, request: { orderId: string; seconds: number; uses: number }): Promise<VaultOrder> {
    const order = this.orders.openOrder(request.orderId);
    const { user, key } = await this.accounts.unlock(credentials, source);
    try {
      this.orders.approve(order.id, user.name);
    } catch (err) {
      key.privateKey.fill(0);
      throw err;
    }
    const durationMs = Math.max(1000, Math.min(request.seconds * 1000, order.expiresAt - Date.now()));
    this.delegations.add({
      owner: user.name,
      key,
      uses: request.uses,
      durationMs,
      users: [order.requester],
      anyone: false,
      labels: order.labels,
      order: { id: order.id, ciphertextHash: order.ciphertextHash },
    });
    await this.record('approve', user.name, {
      orderId: order.id,
      requester: order.requester,
      ciphertext: order.ciphertextHash,
      uses: request.uses,
      seconds: Math.round(durationMs / 1000),
    });
    this.emit('change', 'orders');
    this.emit('change', 'delegations');
    return this.describeOrder(this.orders.openOrder(order.id));
  }

  async cancelOrder(credentials: VaultCredentials, source: string, orderId: string): Promise<VaultOrder> {
    const requester = await this.accounts.authenticate(credentials, source);
    const order = this.orders.cancel(orderId, requester.name);
    await this.record('cancel-order', requester.name, { orderId });
    return this.describeOrder(order);
  }

  listOrders(): VaultOrder[] {
    return this.orders.list().map((order) => this.describeOrder(order));
  }

  async auditEntries(limit: number, beforeSeq?: number) {
    return { entries: await this.audit.read(limit, beforeSeq), chain: this.status().audit };
  }

  async close(): Promise<void> {
    this.accounts.close();
    // First: the purge below ends delegations in memory, not on disk.
    await this.persistence.close();
    this.delegations.purge();
    this.orders.closeAll();
    await this.file.close();
  }

  /**
   * Records an audit entry and tells the console; the chain status follows every append. An entry
   * made for a console call also names the console operator (`operator`) beside the vault account.
   */
  async record(...[event, actor, details = {}]: Parameters<VaultAuditLog['append']>): Promise<void> {
    const operator = consoleOperator.getStore();
    await this.audit.append(event, actor, operator === undefined ? details : { ...details, operator });
    this.emit('change', 'audit');
  }

  private describeOrder(order: Order): VaultOrder {
    const { fulfilledBy, ...shown } = order;
    if (order.status !== 'open')
      return { ...shown, delegated: fulfilledBy ?? order.approvals.map((approval) => approval.owner), satisfied: false, waitingFor: [] };
    // What a decryption for this order could use now: its own approvals first, else ordinary delegations.
    const usable = this.delegations.usable({ requester: order.requester, labels: order.labels, ciphertextHash: order.ciphertextHash, orderId: order.id });
    const delegated = order.owners.filter((owner) => usable.has(owner));
    const satisfied = chooseOwners(order.access, new Set(delegated)) !== null;
    // Only who could still make it: nobody once it is satisfied.
    return { ...shown, delegated, satisfied, waitingFor: satisfied ? [] : order.owners.filter((owner) => !delegated.includes(owner)) };
  }

  private decryptOwn(ciphertext: string, used: Delegation[]): Uint8Array {
    const keys = new Map(used.map((delegation) => [delegation.owner, delegation.key]));
    return decryptPayload(ciphertext, {
      vaultId: this.file.data.vaultId,
      publicKeyOf: (name) => this.accounts.publicKeyOf(name),
      privateKeyOf: (name) => keys.get(name),
      use: [...keys.keys()],
    });
  }

  /** The owners chosen are accounts here; the ciphertext names them as its Red October vault did. */
  private decryptRedOctober(ciphertext: string, used: Delegation[]): Uint8Array {
    const { source, vault } = matchRedOctober(this.file.data.redOctober, ciphertext);
    const keys = new Map(
      used.flatMap((delegation) => {
        const name = redOctoberName(source, delegation.owner);
        return name === undefined ? [] : [[name, redOctoberKeyOf(delegation.key)] as const];
      }),
    );
    return decryptRedOctoberCiphertext(ciphertext, vault, keys).plaintext;
  }
}

/**
 * The two-person rule for predicates: where a gate needs two or more of its children, no person may
 * appear under two of them, or "(2, alice, alice)" would let alice decrypt alone.
 */
function requireDistinctPeople(node: PredicateNode): void {
  if (node.kind === 'name') return;
  if (node.threshold >= 2) {
    const seen = new Set<string>();
    for (const child of node.children) {
      for (const name of predicateNames(child)) {
        if (seen.has(name)) throw new ApiError('E_VAULT_ACCESS', `${name} appears twice under one gate of the predicate and would count as two people`);
      }
      for (const name of predicateNames(child)) seen.add(name);
    }
  }
  node.children.forEach(requireDistinctPeople);
}

function describe(access: AccessStructure): string {
  if (access.kind === 'owners') return `${access.minimum} of ${access.owners.join(', ')}`;
  if (access.kind === 'left-right') return `one of ${access.left.join(', ')} and another of ${access.right.join(', ')}`;
  return access.predicate;
}

/** Red October's ciphertexts are base64 of JSON starting {"Version": ours are base64url of {"format". */
function looksLikeRedOctober(ciphertext: string): boolean {
  return ciphertext.trimStart().startsWith('eyJWZXJzaW9uIj');
}
