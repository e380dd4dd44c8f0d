// A real BIND resolver (named from apt) on 127.0.0.1 that forwards everything to one server: a
// resolver behind which a DNS proxy is tested, its log kept for what it complained about.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './host.ts';
import { startDnsPeer } from './dns-peer-process.ts';
import { freePort } from './knot.ts';

export interface Named {
  port: number;
  /** Everything named logged so far (info and up, every category). */
  log(): string;
  stop(): Promise<void>;
}

/** Starts named forwarding only to 127.0.0.1:forwardPort (no DNSSEC validation, no control channel). */
export async function startNamed(forwardPort: number): Promise<Named> {
  const dir = tempDir('named');
  const port = await freePort();
  const logFile = join(dir, 'named.log');
  const categories = ['default', 'lame-servers', 'resolver', 'edns-disabled', 'client', 'network'];
  writeFileSync(
    join(dir, 'named.conf'),
    `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion yes;
  allow-query { 127.0.0.0/8; };
  forwarders { 127.0.0.1 port ${forwardPort}; };
  forward only;
  dnssec-validation no;
};
controls { };
logging {
  channel everything { file "${logFile}"; severity info; print-category yes; print-severity yes; };
${categories.map((category) => `  category ${category} { everything; };`).join('\n')}
};
`,
  );
  writeFileSync(logFile, '');
  // version.bind (class CHAOS) is answered by named itself, without asking the forwarder.
  const { stop } = await startDnsPeer(
    'named',
    ['-f', '-c', join(dir, 'named.conf'), '-n', '1'],
    { port, query: ['-c', 'CH', 'version.bind', 'TXT'], timeoutMs: 15_000 },
    () => readFileSync(logFile, 'utf8'),
  );
  return { port, log: () => readFileSync(logFile, 'utf8'), stop };
}
