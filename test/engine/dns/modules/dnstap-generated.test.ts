// The committed dnstap code (dnstap.pb.js, dnstap.pb.d.ts) is what protobufjs generates from the
// committed dnstap.proto today: a changed .proto without `npm run generate:dnstap` fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateDnstap } from '../../../../scripts/generate-dnstap.ts';
import { tempDir } from '../../../helpers/host.ts';

const folder = 'engine/dns/modules/dnstap';

describe('dnstap generated code', () => {
  it('matches what pbjs and pbts make from dnstap.proto', { timeout: 60_000 }, () => {
    const out = tempDir('dnstap-gen');
    generateDnstap(out, folder);
    for (const file of ['dnstap.pb.js', 'dnstap.pb.d.ts']) {
      assert.equal(readFileSync(join(out, file), 'utf8'), readFileSync(join(folder, file), 'utf8'), `${file} is stale: run npm run generate:dnstap`);
    }
  });
});
