// Runs one command as a fresh process and measures it the way the kernel accounts it: wall time
// from fork to reaping, and user + system CPU and peak RSS from wait4(2)'s rusage. Node cannot call
// wait4, and /proc/self/stat's cutime counts in 10 ms ticks (too coarse for a 100 ms process), so a
// small python3 program forks, execs and reaps the child and prints the numbers in microseconds.
import { execFileSync } from 'node:child_process';

const reaper = `
import os, sys, time, json
argv = json.loads(sys.argv[1])
out = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
err = os.open(sys.argv[3], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
started = time.perf_counter_ns()
pid = os.fork()
if pid == 0:
    os.dup2(out, 1); os.dup2(err, 2)
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter_ns() - started
print(json.dumps({"wallUs": wall // 1000, "userUs": round(usage.ru_utime * 1e6), "sysUs": round(usage.ru_stime * 1e6),
                  "maxRssKiB": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}))
`;

export interface ProcessRun {
  wallMs: number;
  /** user + system CPU of the process and all its threads. */
  cpuMs: number;
  maxRssKiB: number;
  code: number;
}

/** Runs `argv` once with stdout and stderr going to the two files; throws only if it cannot start. */
export function measureProcess(argv: string[], stdoutFile: string, stderrFile: string, env: NodeJS.ProcessEnv = process.env): ProcessRun {
  const line = execFileSync('/usr/bin/python3', ['-c', reaper, JSON.stringify(argv), stdoutFile, stderrFile], { encoding: 'utf8', env });
  const r = JSON.parse(line) as { wallUs: number; userUs: number; sysUs: number; maxRssKiB: number; code: number };
  if (r.code === 127) throw new Error(`${argv[0]} could not be started (exit 127)`);
  return { wallMs: r.wallUs / 1000, cpuMs: (r.userUs + r.sysUs) / 1000, maxRssKiB: r.maxRssKiB, code: r.code };
}
