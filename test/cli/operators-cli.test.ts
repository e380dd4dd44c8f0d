import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OperatorStore } from '../../engine/host/operators/store.ts';
import { tempDir } from '../helpers/host.ts';
import { bin } from '../helpers/serve-process.ts';

function operators(dir: string, args: string[], stdin = '') {
  return spawnSync(process.execPath, [bin, 'operators', ...args, '--data-dir', dir], { input: stdin, encoding: 'utf8', timeout: 20_000 });
}

describe('signalbox operators (the built command)', () => {
  it('adds an operator with the password from stdin, stored as scrypt with its parameters in a 0600 file', async () => {
    const dir = tempDir('operators-cli');
    const added = operators(dir, ['add', 'alice', '--role', 'approver'], 'alice has a long password\n');
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /added alice \(approver\)/);
    const file = join(dir, 'operators.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as {
      operators: Record<string, { role: string; password: { algorithm: string; N: number; r: number; p: number } }>;
    };
    assert.equal(stored.operators.alice!.role, 'approver');
    assert.deepEqual(Object.keys(stored.operators.alice!.password).sort(), ['N', 'algorithm', 'hash', 'p', 'r', 'salt']);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /long password/);
    const caller = await new OperatorStore(dir).verify('alice', 'alice has a long password', 'test');
    assert.deepEqual(caller, { name: 'alice', role: 'approver', via: 'session' });
  });

  it('never takes a password as an argument, and refuses a short one or a missing one', () => {
    const dir = tempDir('operators-cli');
    const asArgument = operators(dir, ['add', 'bob', 'hunter2hunter2', '--role', 'viewer'], 'x\n');
    assert.equal(asArgument.status, 2);
    assert.match(asArgument.stderr, /a password is never an argument/);
    const short = operators(dir, ['add', 'bob', '--role', 'viewer'], 'short\n');
    assert.notEqual(short.status, 0);
    assert.match(short.stderr, /use at least 10 \[E_BAD_PASSWORD\]/);
    assert.match(operators(dir, ['add', 'bob', '--role', 'viewer'], '').stderr, /no password on stdin/);
    assert.match(operators(dir, ['add', 'bob', '--role', 'boss'], 'long enough pw\n').stderr, /--role boss: use one of viewer, operator, approver, admin/);
  });

  it('lists, changes roles, resets passwords and removes, but never the last admin', async () => {
    const dir = tempDir('operators-cli');
    assert.equal(operators(dir, ['add', 'root', '--role', 'admin'], 'root password 1\n').status, 0);
    assert.equal(operators(dir, ['add', 'vera', '--role', 'viewer'], 'vera password 1\n').status, 0);
    assert.deepEqual(
      operators(dir, ['list'])
        .stdout.trim()
        .split('\n')
        .map((line) => line.split('\t').slice(0, 2)),
      [
        ['root', 'admin'],
        ['vera', 'viewer'],
      ],
    );
    assert.equal(operators(dir, ['set-role', 'vera', '--role', 'operator']).status, 0);
    assert.match(operators(dir, ['list']).stdout, /vera\toperator/);
    const demote = operators(dir, ['set-role', 'root', '--role', 'viewer']);
    assert.notEqual(demote.status, 0);
    assert.match(demote.stderr, /root is the last admin.*\[E_LAST_ADMIN\]/);
    assert.match(operators(dir, ['remove', 'root']).stderr, /E_LAST_ADMIN/);
    assert.equal(operators(dir, ['reset-password', 'vera'], 'vera password 2\n').status, 0);
    const store = new OperatorStore(dir);
    await assert.rejects(store.verify('vera', 'vera password 1', 'test'), { code: 'E_SIGN_IN' });
    assert.equal((await store.verify('vera', 'vera password 2', 'test')).role, 'operator');
    assert.equal(operators(dir, ['remove', 'vera']).status, 0);
    assert.doesNotMatch(operators(dir, ['list']).stdout, /vera/);
  });

  it('makes an API token shown once, keeps only its hash, lists and revokes it', () => {
    const dir = tempDir('operators-cli');
    const made = operators(dir, ['token-add', 'prometheus', '--role', 'viewer', '--scope', 'metrics']);
    assert.equal(made.status, 0, made.stderr);
    const token = made.stdout.trim();
    assert.match(token, /^sbx_[A-Za-z0-9_-]{43}$/);
    assert.doesNotMatch(readFileSync(join(dir, 'operators.json'), 'utf8'), new RegExp(token.slice(4)));
    assert.match(operators(dir, ['token-list']).stdout, /^prometheus\tviewer\tmetrics\tby cli/);
    assert.equal(new OperatorStore(dir).checkToken(token)?.name, 'prometheus');
    assert.equal(operators(dir, ['token-revoke', 'prometheus']).status, 0);
    assert.equal(new OperatorStore(dir).checkToken(token), undefined);
  });
});
