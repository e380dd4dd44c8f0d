// The built Electron shell's whole start-up, against the recording stand-in of `electron` (Electron's
// binary cannot be downloaded here): the order of the calls Electron cares about, the window's
// security settings, app:// with its CSP, navigation and new windows refused, the contract on IPC,
// the engines under the supervisor, and their stop on before-quit. Needs `npm run build`.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ipcChannel, type IpcOutcome, type SignalboxBridge } from '../../engine/api/bridge.ts';
import type { HostSnapshot } from '../../engine/api/host.ts';
import { procedures, streams } from '../../engine/api/index.ts';
import { desktopCsp } from '../../electron/security.ts';
import { tempDir } from '../helpers/host.ts';
import { dist, loadBuiltShell } from './built-shell.ts';
import { app, BrowserWindow, calls, contextBridge, invokeEvent, ipcMain, protocol, type WebContents } from './electron-stand-in.ts';

const indexOf = (name: string) => calls.findIndex((call) => call.name === name);
const lastIndexOf = (name: string) => calls.findLastIndex((call) => call.name === name);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function engines(): Promise<HostSnapshot> {
  const outcome = (await ipcMain.handlers.get(ipcChannel.call('host.engines'))!(invokeEvent(), {})) as IpcOutcome;
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.result as HostSnapshot;
}

let window: BrowserWindow;
let contents: WebContents;
let enginePids: number[] = [];

before(async () => {
  const userData = tempDir('electron-userdata');
  // Read from Electron's userData folder, as the desktop app does: the echo engine and the vault.
  writeFileSync(join(userData, 'signalbox.yaml'), 'engines:\n  echo:\n    enabled: true\n  vault:\n    enabled: true\n');
  await loadBuiltShell(userData);
  const created = once(app, 'web-contents-created');
  app.becomeReady();
  await created;
  window = BrowserWindow.windows[0]!;
  contents = window.webContents;
});

after(() => {
  // Should the quit test have failed before its end, no engine process may outlive the run.
  for (const pid of enginePids) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

describe('the built Electron shell starts up as Electron needs it (electron stand-in)', () => {
  it('registers app:// as a privileged standard, secure scheme and turns the sandbox on before ready', () => {
    const ready = indexOf('ready');
    assert.ok(
      indexOf('protocol.registerSchemesAsPrivileged') >= 0 && indexOf('protocol.registerSchemesAsPrivileged') < ready,
      'registerSchemesAsPrivileged before ready',
    );
    assert.ok(indexOf('app.enableSandbox') >= 0 && indexOf('app.enableSandbox') < ready, 'enableSandbox before ready');
    assert.deepEqual(protocol.privileged, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('after ready: app:// handled, then the host and its IPC, then the one window, then its page', () => {
    const order = ['ready', 'protocol.handle', 'ipcMain.handle', 'new BrowserWindow', 'webContents.loadURL'].map(indexOf);
    assert.ok(
      order.every((index) => index >= 0),
      `every step happened: ${order}`,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      `in this order: ready, protocol.handle, ipcMain.handle, new BrowserWindow, loadURL (${order})`,
    );
    assert.ok(lastIndexOf('ipcMain.handle') < indexOf('new BrowserWindow'), 'every IPC channel is there before the window can call it');
    assert.equal(BrowserWindow.windows.length, 1);
    assert.equal(contents.loadedUrl, 'app://signalbox/index.html');
  });

  it('opens the window isolated, sandboxed, without Node integration, with the built preload', () => {
    const prefs = window.options.webPreferences!;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.webSecurity, true);
    assert.notEqual(prefs.allowRunningInsecureContent, true);
    assert.match(String(prefs.disableBlinkFeatures), /\bAuxclick\b/);
    assert.equal(prefs.preload, join(dist, 'electron', 'preload.cjs'));
    assert.ok(existsSync(String(prefs.preload)), `the preload ${prefs.preload} exists`);
  });

  it('serves the built console over app://, with the CSP on every response', async () => {
    const handler = protocol.handlers.get('app')!;
    const index = await handler(new Request('app://signalbox/index.html'));
    assert.equal(index.status, 200);
    const html = await index.text();
    assert.match(html, /<div id="root">/);
    const assets = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((match) => match[1]!);
    assert.ok(assets.length >= 2, 'the page names its script and styles');
    const responses = [index];
    for (const asset of assets) {
      const response = await handler(new Request(`app://signalbox/${asset}`));
      assert.equal(response.status, 200, asset);
      responses.push(response);
    }
    for (const [url, status] of [
      ['app://signalbox/no-such-file.js', 404],
      ['app://signalbox/%2e%2e/electron/main.js', 400],
      ['app://elsewhere/index.html', 404],
    ] as const) {
      const response = await handler(new Request(url));
      assert.ok(response.status === status || (status === 400 && response.status === 404), `${url}: ${response.status}`);
      assert.doesNotMatch(await response.text(), /import|electron/);
      responses.push(response);
    }
    for (const response of responses) assert.equal(response.headers.get('content-security-policy'), desktopCsp);
  });

  it('refuses navigation away from the app, every new window and webviews; web links go to the system browser', () => {
    assert.equal(contents.prevented('will-navigate', 'https://evil.example/'), true);
    assert.equal(contents.prevented('will-navigate', 'file:///etc/passwd'), true);
    assert.equal(contents.prevented('will-navigate', 'app://signalbox/index.html#/dns'), false);
    assert.equal(contents.prevented('will-attach-webview'), true);
    const opened = calls.filter((call) => call.name === 'shell.openExternal').length;
    assert.deepEqual(contents.windowOpenHandler!({ url: 'https://example.com/docs' }), { action: 'deny' });
    assert.deepEqual(contents.windowOpenHandler!({ url: 'app://signalbox/index.html' }), { action: 'deny' });
    assert.deepEqual(contents.windowOpenHandler!({ url: 'file:///etc/passwd' }), { action: 'deny' });
    assert.deepEqual(
      calls
        .filter((call) => call.name === 'shell.openExternal')
        .slice(opened)
        .map((call) => call.args[0]),
      ['https://example.com/docs'],
    );
    let granted: boolean | undefined;
    contents.session.permissionRequestHandler!(contents, 'media', (answer) => (granted = answer));
    assert.equal(granted, false);
    assert.equal(contents.session.permissionCheckHandler!(), false);
  });

  it('registers every procedure and stream of the contract on ipcMain exactly once', () => {
    const channels = calls.filter((call) => call.name === 'ipcMain.handle').map((call) => String(call.args[0]));
    const expected = [...Object.keys(procedures).map(ipcChannel.call), ...Object.keys(streams).map(ipcChannel.subscribe), ipcChannel.unsubscribe];
    assert.equal(channels.length, new Set(channels).size, 'no channel twice');
    assert.deepEqual([...channels].sort(), [...expected].sort());
  });

  it('answers the app frame from the engines the supervisor started, and refuses other frames', async () => {
    const { engines: states } = await engines();
    assert.deepEqual(states.map((engine) => engine.name).sort(), ['echo', 'vault']);
    for (const engine of states) {
      assert.equal(engine.status, 'running', `${engine.name}: ${JSON.stringify(engine.lastExit)}`);
      assert.ok(engine.pid !== null && engine.pid !== process.pid && alive(engine.pid), `${engine.name} runs in its own process`);
    }
    enginePids = states.map((engine) => engine.pid!);
    const call = ipcMain.handlers.get(ipcChannel.call('host.engines'))!;
    for (const event of [invokeEvent('https://evil.example/'), invokeEvent('app://signalbox/index.html', false)]) {
      const outcome = (await call(event, {})) as IpcOutcome;
      assert.equal(outcome.ok, false);
      assert.match(JSON.stringify(outcome), /untrusted frame/);
    }
  });

  it('the built preload exposes one function per procedure and stream, and its calls reach the host', async () => {
    createRequire(import.meta.url)(join(dist, 'electron', 'preload.cjs'));
    assert.deepEqual([...contextBridge.exposed.keys()], ['signalbox']);
    const bridge = contextBridge.exposed.get('signalbox') as SignalboxBridge;
    assert.deepEqual(Object.keys(bridge.procedures).sort(), Object.keys(procedures).sort());
    assert.deepEqual(Object.keys(bridge.streams).sort(), Object.keys(streams).sort());
    const outcome = await bridge.procedures['host.engines']({});
    assert.ok(outcome.ok && (outcome.result as HostSnapshot).engines.length === 2);
    assert.equal(readFileSync(join(dist, 'electron', 'preload.cjs'), 'utf8').includes('require("electron")'), true, 'the preload needs nothing but electron');
  });

  it('on before-quit stops the engines through the supervisor, then quits', async () => {
    assert.ok(enginePids.length === 2 && enginePids.every(alive));
    const quit = once(app, 'quit');
    app.quit();
    assert.equal(app.quitted, false, 'the first quit is held until the engines stopped');
    await quit;
    assert.deepEqual(calls.filter((call) => call.name === 'app.quit').length, 2, 'quit again once the host stopped');
    assert.deepEqual(enginePids.filter(alive), [], 'no engine process is left');
  });
});
