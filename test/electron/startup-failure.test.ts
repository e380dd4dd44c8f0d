// A desktop start-up that cannot succeed (here: a signalbox.yaml with an unknown key in the userData
// folder) must log why and end the app, not leave a running app without a window. Built shell
// against the electron stand-in, as startup.test.ts; needs `npm run build`.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { tempDir } from '../helpers/host.ts';
import { loadBuiltShell } from './built-shell.ts';
import { app, BrowserWindow } from './electron-stand-in.ts';

it('a bad signalbox.yaml in userData ends the desktop app with exit code 1 and no window', { timeout: 20_000 }, async () => {
  const userData = tempDir('electron-bad-config');
  writeFileSync(join(userData, 'signalbox.yaml'), 'engines:\n  echo:\n    tickz: 5\n');
  await loadBuiltShell(userData);
  const exited = once(app, 'exit');
  app.becomeReady();
  assert.deepEqual(await exited, [1]);
  assert.equal(BrowserWindow.windows.length, 0);
});
