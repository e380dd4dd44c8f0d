import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, defaultConfig, loadConfig, parseConfig } from '../../../engine/host/config.ts';

function configError(text: string): ConfigError {
  try {
    parseConfig(text, '/etc/signalbox.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('the config was accepted');
}

describe('config', () => {
  it('gives working defaults when there is no file', () => {
    const config = defaultConfig();
    assert.equal(config.serve.host, '127.0.0.1');
    assert.equal(config.serve.port, 8787);
    assert.equal(config.engines.echo.enabled, true);
  });

  it('treats an empty file as all defaults', () => {
    assert.deepEqual(parseConfig('', 'empty.yaml'), defaultConfig());
  });

  it('reads the values a file sets and keeps defaults for the rest', () => {
    const config = parseConfig('serve:\n  port: 9000\nengines:\n  echo:\n    tickMs: 250\n', 'x.yaml');
    assert.equal(config.serve.port, 9000);
    assert.equal(config.serve.host, '127.0.0.1');
    assert.equal(config.engines.echo.tickMs, 250);
  });

  it('names an unknown key, its line and the known keys', () => {
    const err = configError('serve:\n  port: 9000\n  hots: 0.0.0.0\n');
    assert.equal(err.code, 'E_CONFIG_UNKNOWN_KEY');
    assert.equal(err.key, 'serve.hots');
    assert.equal(err.line, 3);
    assert.match(err.message, /serve\.hots \(line 3 of \/etc\/signalbox\.yaml\): unknown key "hots" — known keys here: host, port/);
  });

  it('names a value of the wrong type with its key and line', () => {
    const err = configError('log:\n  level: info\nengines:\n  echo:\n    enabled: "yes"\n');
    assert.equal(err.code, 'E_CONFIG_TYPE');
    assert.equal(err.key, 'engines.echo.enabled');
    assert.equal(err.line, 5);
  });

  it('names an out-of-range value with E_CONFIG_VALUE', () => {
    const err = configError('serve:\n  port: 70000\n');
    assert.equal(err.code, 'E_CONFIG_VALUE');
    assert.equal(err.key, 'serve.port');
    assert.equal(err.line, 2);
  });

  it('reports YAML syntax errors with the line', () => {
    const err = configError('serve:\n  port: 1\n   host: [\n');
    assert.equal(err.code, 'E_CONFIG_SYNTAX');
    assert.ok(err.line !== null && err.line >= 2, `line ${err.line}`);
  });

  it('refuses duplicate keys, which YAML would otherwise silently merge', () => {
    assert.equal(configError('serve:\n  port: 1\n  port: 2\n').code, 'E_CONFIG_SYNTAX');
  });

  it('says which file is missing', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'sbx-config-')), 'nope.yaml');
    assert.throws(
      () => loadConfig(missing),
      (err: ConfigError) => {
        assert.equal(err.code, 'E_CONFIG_MISSING_FILE');
        assert.ok(err.message.includes(missing));
        return true;
      },
    );
  });

  it('loads the example config shipped in resources/', () => {
    const config = loadConfig(new URL('../../../resources/signalbox.example.yaml', import.meta.url).pathname);
    assert.equal(config.serve.port, 8787);
  });

  it('reads a file from disk', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sbx-config-')), 'signalbox.yaml');
    writeFileSync(file, 'serve:\n  port: 1234\n');
    assert.equal(loadConfig(file).serve.port, 1234);
  });
});
