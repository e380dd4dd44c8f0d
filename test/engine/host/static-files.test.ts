import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveStaticPath } from '../../../engine/host/static-files.ts';

describe('resolveStaticPath', () => {
  const root = '/srv/console';

  it('maps files under the root and sends routes to index.html', () => {
    assert.equal(resolveStaticPath(root, '/assets/app-1.js'), '/srv/console/assets/app-1.js');
    assert.equal(resolveStaticPath(root, '/'), '/srv/console/index.html');
    assert.equal(resolveStaticPath(root, '/dns?x=1#y'), '/srv/console/index.html');
  });

  it('refuses every way out of the root', () => {
    for (const path of ['/../etc/passwd.txt', '/%2e%2e/x.js', '/assets/%2e%2e/%2e%2e/x.js', '/a\\..\\b.js', '/x%00.js', '/%E0%A4%A.js']) {
      assert.equal(resolveStaticPath(root, path), null, path);
    }
  });
});
