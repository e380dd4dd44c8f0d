// kill -9 at any moment leaves a vault that opens: a writer process is killed mid-write again and
// again; after each kill the vault file parses, the lock is taken over and the audit chain holds.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { AuditLog } from '../../../../engine/common/audit-log.ts';
import { VaultFile } from '../../../../engine/vault/storage/vault-file.ts';
import { tempDir } from '../../../helpers/host.ts';

const writer = fileURLToPath(new URL('../../../helpers/vault-writer.ts', import.meta.url));

describe('vault crash safety', () => {
  it('opens after 25 kills at random moments of a writer, with an intact audit chain', async (t) => {
    const dir = tempDir('vault-crash');
    const vaultPath = join(dir, 'vault.json');
    const auditPath = join(dir, 'audit.log');
    let recovered = 0;
    for (let round = 0; round < 25; round++) {
      const child = fork(writer, [vaultPath, auditPath], { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
      await once(child, 'message');
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 60));
      child.kill('SIGKILL');
      await once(child, 'exit');

      const vault = await VaultFile.open(vaultPath);
      assert.equal(vault.data.format, 'signalbox.vault', `round ${round}`);
      assert.deepEqual(
        readdirSync(dir).filter((name) => name.endsWith('.tmp')),
        [],
        'temp files of torn writes are removed',
      );
      await vault.close();
      const audit = new AuditLog(auditPath);
      const check = await audit.open();
      assert.equal(check.ok, true, `round ${round}: ${check.reason}`);
      if ((await audit.read(1))[0]?.event === 'audit-recovered') recovered++;
    }
    const { entries } = await new AuditLog(auditPath).open();
    // Each writer reports after its first 4 writes (test/helpers/vault-writer.ts): at least 100.
    assert.ok(entries >= 100, `the writers got ${entries} entries in`);
    assert.equal(statSync(vaultPath).mode & 0o777, 0o600);
    // How often a kill tore the audit log's last line depends on timing: reported, not asserted.
    t.diagnostic(`torn audit lines recovered: ${recovered} of 25 kills`);
  });
});
