// A process that writes a vault file and its audit log as fast as it can, forever: the victim of
// the crash-safety test, which kills it with SIGKILL at random moments. It says it is writing only
// after its first writes, so that even on a loaded machine every kill finds it at work.
import { AuditLog } from '../../engine/common/audit-log.ts';
import { VaultFile } from '../../engine/vault/storage/vault-file.ts';

const [vaultPath, auditPath] = process.argv.slice(2) as [string, string];
const vault = await VaultFile.open(vaultPath);
const audit = new AuditLog(auditPath);
await audit.open();
/** Writes done before the test is told: 25 kills then see at least 100 entries however slow the machine. */
const writesBeforeReady = 4;
for (let i = 0; ; i++) {
  if (i === writesBeforeReady) process.send?.('writing');
  const name = `user${i % 50}`;
  await vault.update((draft) => {
    // Growing and shrinking content, so that a torn write would show as broken JSON.
    if (draft.users[name]) delete draft.users[name];
    else
      draft.users[name] = {
        name,
        type: 'ECC',
        admin: false,
        createdAt: new Date().toISOString(),
        passwordChangedAt: '',
        publicKey: 'x'.repeat(100 + (i % 700)),
        keyId: String(i),
      };
  });
  await audit.append('modify', 'writer', { target: name, round: i, padding: 'y'.repeat(i % 300) });
}
