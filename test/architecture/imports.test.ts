import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { checkImport, checkTree, importsOf } from './import-rules.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function violation(from: string, code: string): string | null {
  const rules = importsOf(from, code).map((ref) => checkImport(from, ref));
  return rules.find((rule) => rule !== null) ?? null;
}

describe('import boundaries', () => {
  it('hold across engine/, renderer/ and electron/', () => {
    const found = checkTree(root).map((v) => `${v.file}:${v.line} imports "${v.specifier}": ${v.rule}`);
    assert.deepEqual(found, []);
  });

  it('catch engine code importing electron or react', () => {
    assert.match(violation('engine/host/x.ts', "import { app } from 'electron';") ?? '', /never imports electron/);
    assert.match(violation('engine/dns/x.ts', "import React from 'react';") ?? '', /never imports react/);
    assert.match(violation('engine/echo/x.ts', "const e = require('electron');") ?? '', /never imports electron/);
    assert.match(violation('engine/host/x.ts', "const r = await import('react-dom/client');") ?? '', /react-dom/);
    assert.match(violation('engine/host/x.ts', "import '../../renderer/app.tsx';") ?? '', /never imports renderer/);
  });

  it('catch an engine importing another engine or the host', () => {
    assert.match(violation('engine/dns/x.ts', "import { x } from '../vault/store.ts';") ?? '', /not engine\/vault/);
    assert.match(violation('engine/dns/x.ts', "import { x } from '../host/rpc.ts';") ?? '', /not engine\/host/);
    assert.equal(violation('engine/dns/x.ts', "import { x } from '../api/index.ts'; import { y } from './cache.ts';"), null);
    assert.equal(violation('engine/host/registry.ts', "import { dnsParts } from '../dns/definition.ts';"), null);
  });

  it('let engines and the host share engine/common, which knows no engine (issue 18)', () => {
    assert.equal(violation('engine/vault/vault.ts', "import { AuditLog } from '../common/audit-log.ts';"), null);
    assert.equal(violation('engine/host/operators/store.ts', "import { LoginGuard } from '../../common/guard.ts';"), null);
    assert.match(
      violation('engine/host/operators/store.ts', "import { LoginGuard } from '../../vault/accounts.ts';") ?? '',
      /only through engine\/host\/registry\.ts/,
    );
    assert.match(
      violation('engine/common/guard.ts', "import { Vault } from '../vault/vault.ts';") ?? '',
      /engine\/common imports only engine\/common, not engine\/vault/,
    );
    assert.match(violation('engine/common/guard.ts', "import { serveRpc } from '../host/rpc.ts';") ?? '', /not engine\/host/);
    assert.match(violation('engine/common/guard.ts', "import { app } from 'electron';") ?? '', /never imports electron/);
    assert.match(violation('renderer/app.tsx', "import { AuditLog } from '../engine/common/audit-log.ts';") ?? '', /engine\/api only, not engine\/common/);
  });

  it('catch the host reaching into an engine other than through its registry (issue 18)', () => {
    assert.match(violation('engine/host/fan-out.ts', "import { mergeStats } from '../dns/merge.ts';") ?? '', /only through engine\/host\/registry\.ts/);
    assert.equal(violation('engine/host/fan-out.ts', "import { partsOf } from './registry.ts'; import type { X } from '../api/index.ts';"), null);
  });

  it('catch the renderer importing Node, electron or engine runtime code', () => {
    assert.match(violation('renderer/app.tsx', "import { readFile } from 'node:fs';") ?? '', /no Node modules/);
    assert.match(violation('renderer/app.tsx', "import fs from 'fs';") ?? '', /no Node modules/);
    assert.match(violation('renderer/app.tsx', "import { ipcRenderer } from 'electron';") ?? '', /never imports electron/);
    // Issue 18: the browser-safe contract's values (error codes, limits) are the renderer's too.
    assert.equal(violation('renderer/app.tsx', "import { ErrorCode, vaultLimits } from '../engine/api/index.ts';"), null);
    assert.match(violation('renderer/app.tsx', "import { dnsParts } from '../engine/dns/definition.ts';") ?? '', /engine\/api only, not engine\/dns/);
    assert.match(violation('renderer/app.tsx', "import type { Supervisor } from '../engine/host/supervisor.ts';") ?? '', /not engine\/host/);
    assert.equal(violation('renderer/app.tsx', "import type { EngineState } from '../engine/api/index.ts';"), null);
    assert.equal(violation('renderer/app.tsx', "import { type EngineState } from '../engine/api/index.ts';"), null);
  });

  it('keep the contract free of Node so the browser can load its types', () => {
    assert.match(violation('engine/api/x.ts', "import { readFileSync } from 'node:fs';") ?? '', /no Node modules/);
    assert.match(violation('engine/api/x.ts', "import { WebSocket } from 'ws';") ?? '', /zod only/);
  });

  it("let the contract compose the DNS modules' contracts, which keep its rules (issue 18)", () => {
    assert.equal(violation('engine/api/dns.ts', "import { moduleConfig } from '../dns/chain.ts';"), null);
    assert.equal(violation('engine/dns/chain.ts', "import { z } from 'zod'; import { cacheContract } from './modules/cache/contract.ts';"), null);
    assert.equal(violation('engine/dns/modules/cache/contract.ts', "import { z } from 'zod'; import { mergedAs } from '../../../api/merge.ts';"), null);
    assert.match(violation('engine/api/dns.ts', "import { Cache } from '../dns/modules/cache/cache.ts';") ?? '', /only engine\/api and the contract parts/);
    assert.match(violation('engine/dns/chain.ts', "import { Cache } from './modules/cache/cache.ts';") ?? '', /only engine\/api and the contract parts/);
    assert.match(violation('engine/dns/modules/cache/contract.ts', "import { readFileSync } from 'node:fs';") ?? '', /no Node modules/);
    assert.match(violation('engine/dns/modules/forward/contract.ts', "import { x } from '../../wire.ts';") ?? '', /only engine\/api and the contract parts/);
  });
});
