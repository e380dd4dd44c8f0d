// Generates the dnstap encoder/decoder (dnstap.pb.js) and its types (dnstap.pb.d.ts) from
// engine/dns/modules/dnstap/dnstap.proto with protobufjs's own generator (pbjs static module, pbts).
// The output is committed, so a fresh clone needs no generation step; run `npm run generate:dnstap`
// after changing the .proto (test/engine/dns/modules/dnstap/generated.test.ts checks they agree).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Encode and decode only: no reflection helpers (verify, convert, create) the engine never calls. */
const pbjsFlags = ['-t', 'static-module', '-w', 'es6', '--no-create', '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '--no-service'];

export function generateDnstap(outDir: string, folder = 'engine/dns/modules/dnstap'): void {
  const bin = (name: string) => join('node_modules', '.bin', name);
  const js = join(outDir, 'dnstap.pb.js');
  execFileSync(bin('pbjs'), [...pbjsFlags, '-o', js, join(folder, 'dnstap.proto')], { stdio: 'inherit' });
  execFileSync(bin('pbts'), ['-o', join(outDir, 'dnstap.pb.d.ts'), js], { stdio: 'inherit' });
}

if (import.meta.main) generateDnstap('engine/dns/modules/dnstap');
