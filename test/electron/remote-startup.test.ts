// The built Electron shell started with --remote URL --fingerprint (against the recording stand-in
// of `electron`): no engine host and no IPC, one window onto the remote console with its own
// session, no preload, the certificate pinned to what `serve --tls-self-signed` printed, and
// navigation kept on that origin. Needs `npm run build`.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { generateCertificate } from '../../engine/railgun/tls.ts';
import { tempDir } from '../helpers/host.ts';
import { presentedCertificate } from '../helpers/presented-certificate.ts';
import { startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { loadBuiltShell } from './built-shell.ts';
import { app, BrowserWindow, calls, ipcMain, protocol } from './electron-stand-in.ts';

let served: ServeProcess;
let fingerprint: string;

before(async () => {
  served = await startServeProcess(['--data-dir', tempDir('electron-remote-serve'), '--tls-self-signed'], { operators: false });
  fingerprint = /SHA-256 fingerprint (\S+)/.exec(served.stdout())![1]!;
  // As the desktop app would be started: electron main.js --remote URL --fingerprint FP.
  process.argv.push('--remote', served.url, '--fingerprint', fingerprint);
  await loadBuiltShell(tempDir('electron-remote-userdata'));
  const created = once(app, 'web-contents-created');
  app.becomeReady();
  await created;
});

after(async () => {
  if (served) await stopProcess(served.child);
});

describe('the built Electron shell onto a remote serve (electron stand-in)', () => {
  it('starts no engine host: no app:// handler and no IPC channel, one window loading the remote console', () => {
    assert.equal(protocol.handlers.size, 0);
    assert.equal(ipcMain.handlers.size, 0);
    assert.equal(BrowserWindow.windows.length, 1);
    assert.equal(BrowserWindow.windows[0]!.webContents.loadedUrl, served.url);
  });

  it('opens it isolated, sandboxed, without Node or a preload, in a session of its own', () => {
    const prefs = BrowserWindow.windows[0]!.options.webPreferences!;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.preload, undefined, 'a remote page gets no IPC bridge');
    const contents = BrowserWindow.windows[0]!.webContents;
    assert.match(contents.session.partition, /^persist:remote-[0-9a-f]{16}$/);
    assert.ok(
      calls.findIndex((call) => call.name === 'session.setCertificateVerifyProc') < calls.findIndex((call) => call.name === 'webContents.loadURL'),
      'the pin is set before the page loads',
    );
  });

  it("accepts serve's own certificate by the printed fingerprint and refuses another for the same name", async () => {
    const verify = BrowserWindow.windows[0]!.webContents.session.certificateVerifyProc!;
    const verdict = (data: string) => new Promise<number>((resolve) => verify({ hostname: '127.0.0.1', certificate: { data } }, resolve));
    assert.equal(await verdict(await presentedCertificate(served.port)), 0);
    assert.equal(await verdict((await generateCertificate(['127.0.0.1'])).cert), -2);
  });

  it('keeps navigation and redirects on the remote origin, denies new windows and permissions', () => {
    const contents = BrowserWindow.windows[0]!.webContents;
    assert.equal(contents.prevented('will-navigate', `${served.url}#/dns`), false);
    assert.equal(contents.prevented('will-navigate', 'app://signalbox/index.html'), true);
    assert.equal(contents.prevented('will-navigate', 'https://evil.example/'), true);
    assert.equal(contents.prevented('will-redirect', `http://127.0.0.1:${served.port}/`), true, 'not to the same port in clear');
    assert.deepEqual(contents.windowOpenHandler!({ url: `${served.url}` }), { action: 'deny' });
    let granted: boolean | undefined;
    contents.session.permissionRequestHandler!(contents, 'media', (answer) => (granted = answer));
    assert.equal(granted, false);
  });
});
