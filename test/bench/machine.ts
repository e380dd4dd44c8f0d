// What a bench ran on, for the top of its section of RESULTS.md: the machine, the versions of the
// tools, and the commit measured (with the folders that had uncommitted changes: other people's work
// in progress shows there).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The first line of a command's output (or the first one matching `pattern`); '?' when it fails. */
export function firstLine(command: string, args: string[], pattern?: RegExp): string {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = out.split('\n').map((line) => line.trim());
    return (pattern ? lines.find((line) => pattern.test(line)) : lines[0]) ?? '?';
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '?').split('\n')[0] ?? '?';
  }
}

/** Cores (and how many this process may use), CPU model and kernel. */
export function machineLine(): string {
  const model = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? '?';
  return `${cpus().length} cores (nproc ${firstLine('nproc', [])}), ${model}; kernel ${firstLine('uname', ['-r'])}`;
}

/** The 1-minute load average, for "at start" and "at end" lines. */
export function loadAverage(): number {
  return loadavg()[0]!;
}

/** The commit measured, and the top folders with uncommitted changes. */
export function commit(): string {
  let status = '';
  try {
    status = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8', cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    // Not a checkout (an unpacked release): no changes to name.
  }
  // A porcelain line is "XY path": two status letters and a space. Folders are named with a slash.
  const changed = [
    ...new Set(
      status
        .split('\n')
        .filter(Boolean)
        .map((entry) => entry.slice(3).replace(/\/.*/, '/')),
    ),
  ];
  return `commit ${firstLine('git', ['rev-parse', '--short', 'HEAD'])}${changed.length ? ` (with uncommitted changes under ${changed.join(', ')})` : ''}`;
}
