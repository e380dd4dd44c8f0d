// A real BIND resolver (named from apt) on 127.0.0.1 that forwards everything to one server: a
// resolver behind which a DNS proxy is tested, its log kept for what it complained about.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './host.ts';
import { freePort, kdig, status } from './knot.ts';
import { waitFor } from './wait.ts';

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
  const child: ChildProcess = spawn('named', ['-f', '-c', join(dir, 'named.conf'), '-n', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  try {
    // version.bind (class CHAOS) is answered by named itself, without asking the forwarder.
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`named exited: ${stderr}${readFileSync(logFile, 'utf8')}`);
      return status(await kdig(port, ['-c', 'CH', 'version.bind', 'TXT'], 300)) === 'NOERROR';
    }, 'named to answer', 15_000, 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, log: () => readFileSync(logFile, 'utf8'), stop };
}
