// A dnstap collector for tests: Debian's fstrm_capture (package fstrm-bin) writing a Frame Streams
// file, read back with dnstap-ldns (package dnstap-ldns), and, for what dnstap-ldns 0.2.1 cannot
// name (its schema predates SocketProtocol DOT and DOH), decoded with our generated dnstap code.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dnstap } from '../../engine/dns/modules/dnstap/dnstap.pb.js';
import { tempDir } from './host.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

export interface Collector {
  /** What to put in dnstap.address. */
  address: string;
  file: string;
  /** Stops fstrm_capture (it closes the file) and waits for it to exit. */
  stop(): Promise<void>;
}

/** fstrm_capture on a unix socket (`{ unix: path }`) or a TCP port of 127.0.0.1, writing to a fresh file. */
export async function startCollector(on: { unix: string } | { tcpPort: number }, file = join(tempDir('dnstap'), 'capture.fstrm')): Promise<Collector> {
  const where = 'unix' in on ? ['-u', on.unix] : ['-a', '127.0.0.1', '-p', String(on.tcpPort)];
  const child: ChildProcess = spawn('fstrm_capture', ['-t', 'protobuf:dnstap.Dnstap', ...where, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  // It says so on stderr once the socket is open; a unix socket also shows as a file.
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`fstrm_capture exited: ${stderr}`);
      return /opening (Unix socket|TCP socket)/.test(stderr) && ('unix' in on ? existsSync(on.unix) : true);
    },
    'fstrm_capture to listen',
    10_000,
  );
  return {
    address: 'unix' in on ? `unix://${on.unix}` : `tcp://127.0.0.1:${on.tcpPort}`,
    file,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** dnstap-ldns's quiet lines for a capture file, e.g. `2026-12-04 21:13:45.730653 CQ 127.0.0.1 UDP 34b "www.example.test." IN A`. */
export async function readWithDnstapLdns(file: string): Promise<string[]> {
  const { stdout } = await run('dnstap-ldns', ['-q', '-r', file], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((line) => line.length > 0);
}

/** The dnstap messages of a Frame Streams file (its control frames skipped), decoded with our generated code. */
export function decodeCapture(file: string): dnstap.Dnstap[] {
  const bytes = readFileSync(file);
  const out: dnstap.Dnstap[] = [];
  for (let at = 0; at + 4 <= bytes.length;) {
    const length = bytes.readUInt32BE(at);
    if (length === 0) {
      at += 8 + bytes.readUInt32BE(at + 4);
      continue;
    }
    out.push(dnstap.Dnstap.decode(bytes.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return out;
}
