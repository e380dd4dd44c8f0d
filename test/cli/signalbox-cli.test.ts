import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/host.ts';
import { bin, childPids, startServeProcess, stopProcess } from '../helpers/serve-process.ts';
import { processExists, waitFor } from '../helpers/wait.ts';

function runCli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe('signalbox command line', () => {
  it('refuses a config with an unknown key: non-zero exit, file, key and line named, nothing started', () => {
    const dir = tempDir('cli');
    const file = join(dir, 'signalbox.yaml');
    writeFileSync(file, 'serve:\n  port: 0\nengines:\n  echo:\n    tickz: 5\n');
    const result = runCli(['serve', '--config', file, '--data-dir', dir]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, new RegExp(`engines\\.echo\\.tickz \\(line 5 of ${file.replace(/[.]/g, '\\.')}\\): unknown key "tickz"`));
    assert.match(result.stderr, /E_CONFIG_UNKNOWN_KEY/);
    assert.equal(result.stdout, '');
    assert.equal(existsSync(join(dir, 'serve.token')), false);
  });

  it('refuses a config value of the wrong type', () => {
    const dir = tempDir('cli');
    const file = join(dir, 'signalbox.yaml');
    writeFileSync(file, 'serve:\n  port: "eighty"\n');
    const result = runCli(['serve', '--config', file, '--data-dir', dir]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /serve\.port \(line 2 of .*signalbox\.yaml\)/);
    assert.match(result.stderr, /E_CONFIG_TYPE/);
  });

  it('refuses a missing config file', () => {
    const result = runCli(['serve', '--config', '/nonexistent/signalbox.yaml']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /\/nonexistent\/signalbox\.yaml.*no such file/);
  });

  it('refuses unknown commands and options with usage help', () => {
    const unknown = runCli(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    assert.equal(runCli(['serve', '--bogus']).status, 2);
    assert.equal(runCli(['serve', '--port', 'x']).status, 2);
    assert.match(runCli(['--help']).stdout, /signalbox <command>/);
  });

  it('dns refuses a listen address without a port, naming the flag and value', () => {
    const result = runCli(['dns', '--listen', '10.0.0.1', '--upstream', '127.0.0.1:53']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /dns: --listen "10\.0\.0\.1": write it as ADDRESS:PORT/);
  });

  it('serve shuts down its engine processes on SIGTERM', async () => {
    const served = await startServeProcess(['--data-dir', tempDir('cli')]);
    const engines = await waitFor(() => childPids(served.child.pid!).length > 0 && childPids(served.child.pid!), 'an engine process');
    assert.equal(await stopProcess(served.child, 'SIGTERM'), 0);
    await waitFor(() => engines.every((pid) => !processExists(pid)), 'engine processes to exit');
  });

  it('leaves no orphan engine when the host itself is killed with SIGKILL', async () => {
    const served = await startServeProcess(['--data-dir', tempDir('cli')]);
    const engines = await waitFor(() => childPids(served.child.pid!).length > 0 && childPids(served.child.pid!), 'an engine process');
    await stopProcess(served.child, 'SIGKILL');
    await waitFor(() => engines.every((pid) => !processExists(pid)), 'orphaned engines to exit');
  });
});
