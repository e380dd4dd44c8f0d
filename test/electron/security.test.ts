import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appResponse } from '../../electron/protocol.ts';
import { desktopCsp, externalLink, isAppUrl, isTrustedFrame } from '../../electron/security.ts';
import { tempDir } from '../helpers/host.ts';

describe('Electron shell security', () => {
  it('trusts only the app top frame', () => {
    assert.equal(isTrustedFrame({ url: 'app://signalbox/index.html', isTopLevel: true }), true);
    assert.equal(isTrustedFrame({ url: 'app://signalbox/index.html', isTopLevel: false }), false);
    assert.equal(isTrustedFrame({ url: 'app://other/index.html', isTopLevel: true }), false);
    assert.equal(isTrustedFrame({ url: 'https://signalbox/index.html', isTopLevel: true }), false);
    assert.equal(isTrustedFrame(null), false);
  });

  it('allows navigation only inside the app and sends web links outside', () => {
    assert.equal(isAppUrl('app://signalbox/#/dns'), true);
    assert.equal(isAppUrl('file:///etc/passwd'), false);
    assert.equal(externalLink('https://example.com/x'), 'https://example.com/x');
    assert.equal(externalLink('file:///etc/passwd'), null);
    assert.equal(externalLink('javascript:alert(1)'), null);
  });

  it('has a CSP without inline script, eval or remote origins', () => {
    assert.match(desktopCsp, /default-src 'none'/);
    assert.doesNotMatch(desktopCsp, /unsafe-inline|unsafe-eval|https?:/);
  });

  it('serves the console over app:// and refuses paths outside it', async () => {
    const root = join(tempDir('app'), 'renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<title>x</title>');
    writeFileSync(join(root, '..', 'secret.txt'), 'secret');
    const index = await appResponse(root, 'app://signalbox/');
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('content-security-policy'), desktopCsp);
    for (const path of ['%2e%2e/secret.txt', '..%2fsecret.txt', 'a/%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const res = await appResponse(root, `app://signalbox/${path}`);
      assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
      assert.doesNotMatch(await res.text(), /secret/);
    }
    assert.equal((await appResponse(root, 'app://elsewhere/index.html')).status, 404);
  });
});
