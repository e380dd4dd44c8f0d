import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuditLog } from '../../../engine/common/audit-log.ts';
import { tempDir } from '../../helpers/host.ts';

async function logWith(events: number) {
  const path = join(tempDir('audit'), 'audit.log');
  const log = new AuditLog(path);
  await log.open();
  for (let i = 0; i < events; i++) await log.append('decrypt', 'alice', { ciphertext: `hash${i}`, result: 'ok' });
  return { path, log };
}

describe('vault audit log', () => {
  it('chains entries and reads the newest first, privately', async () => {
    const { path, log } = await logWith(5);
    const newest = await log.read(2);
    assert.deepEqual(
      newest.map((e) => e.seq),
      [5, 4],
    );
    assert.equal(newest[0]!.prev, newest[1]!.hash);
    assert.deepEqual(
      (await log.read(10, 3)).map((e) => e.seq),
      [2, 1],
    );
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(await new AuditLog(path).open(), { ok: true, entries: 5, brokenAt: null, reason: null });
  });

  it('finds an altered, a removed and a reordered entry', async () => {
    const { path } = await logWith(4);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const altered = lines.map((line, i) => (i === 1 ? line.replace('"hash1"', '"hashX"') : line));
    writeFileSync(path, altered.join('\n') + '\n');
    assert.deepEqual(await new AuditLog(path).open(), { ok: false, entries: 4, brokenAt: 2, reason: 'an entry was altered' });
    writeFileSync(path, [lines[0], lines[2], lines[3]].join('\n') + '\n');
    assert.equal((await new AuditLog(path).open()).brokenAt, 3);
    writeFileSync(path, [lines[0], lines[2], lines[1], lines[3]].join('\n') + '\n');
    assert.match((await new AuditLog(path).open()).reason!, /removed or reordered/);
  });

  it('cuts a torn last line, records the cut, and chains on', async () => {
    const { path } = await logWith(3);
    appendFileSync(path, '{"seq":4,"at":"2026-');
    const log = new AuditLog(path);
    const check = await log.open();
    assert.equal(check.ok, true);
    const [recovery] = await log.read(1);
    assert.equal(recovery!.event, 'audit-recovered');
    assert.equal(recovery!.seq, 4);
    await log.append('purge', 'admin');
    assert.deepEqual(await new AuditLog(path).open(), { ok: true, entries: 5, brokenAt: null, reason: null });
  });
});
