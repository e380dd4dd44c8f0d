// An engine running several worker processes (the DNS engine's `workers`) still answers as one:
// a call goes to every running worker and the answers are merged, or to the one worker that holds
// what is asked for; a stream is subscribed on every worker and, where events are per second,
// added up second by second.
import type { DnsSecond, DnsStats, QueryLogEntry } from '../api/dns.ts';
import { ApiError, ErrorCode } from '../api/errors.ts';
import type { Caller } from '../api/identity.ts';
import { mergeEntries, mergeHistory, mergePcaps, mergeSeconds, mergeStats, mergeTop } from '../dns/merge.ts';
import type { RpcClient } from './rpc.ts';

type Merge = (answers: unknown[], params: Record<string, unknown>) => unknown;
const sum = (answers: unknown[], field: string) => answers.reduce<number>((total, answer) => total + ((answer as Record<string, number>)[field] ?? 0), 0);

/** Calls asked of every worker, with how their answers become one. Other calls go to one worker. */
const merges: Record<string, Merge> = {
  'dns.stats': (answers) => mergeStats(answers as DnsStats[]),
  'dns.recentQueries': (answers, params) => ({ entries: mergeEntries((answers as { entries: QueryLogEntry[] }[]).map((a) => a.entries), Number(params.limit ?? 500)) }),
  'dns.top': (answers, params) => mergeTop(answers as Parameters<typeof mergeTop>[0], Number(params.limit ?? 10)),
  'dns.history': (answers) => ({ seconds: mergeHistory((answers as { seconds: DnsSecond[] }[]).map((a) => a.seconds)) }),
  'dns.cacheFlush': (answers) => ({ removed: sum(answers, 'removed') }),
  'dns.setUpstream': (answers) => answers[0],
  'dns.configSet': (answers) => answers[0],
  'dns.pcap': (answers) => {
    const files = answers as { fileName: string; base64: string; packets: number }[];
    return { fileName: files[0]!.fileName, base64: mergePcaps(files.map((file) => Buffer.from(file.base64, 'base64'))).toString('base64'), packets: sum(answers, 'packets') };
  },
};

/** `workers[i]`: worker i's client, undefined while it is not running. */
export async function fanOutCall(method: string, params: unknown, workers: (RpcClient | undefined)[], caller?: Caller): Promise<unknown> {
  const running = workers.filter((client) => client !== undefined);
  if (method === 'dns.packet') {
    // Query-log numbers say their worker: seq % workers (engine/dns/modules/querylog).
    const seq = Number((params as { seq: number }).seq);
    const client = workers[seq % workers.length];
    if (!client) throw new ApiError(ErrorCode.engineUnavailable, `DNS worker ${seq % workers.length}, which answered query ${seq}, is not running`);
    return client.call(method, params, undefined, caller);
  }
  const merge = merges[method];
  if (!merge) return running[0]!.call(method, params, undefined, caller);
  const answers = await Promise.all(running.map((client) => client.call(method, params, undefined, caller)));
  return merge(answers, (params ?? {}) as Record<string, unknown>);
}

/** How long a second waits for the workers that have not reported it yet (one restarting, say). */
const secondWaitMs = 1500;

export function fanOutSubscribe(stream: string, params: unknown, clients: RpcClient[], emit: (event: unknown) => void, end: (error?: ApiError) => void): () => void {
  const forward = stream === 'dns.seconds' ? secondsMerger(clients.length, emit) : { push: emit, close: () => {} };
  const detachers = clients.map((client) => client.subscribe(stream, params, forward.push, end));
  return () => {
    forward.close();
    for (const detach of detachers) detach();
  };
}

function secondsMerger(workers: number, emit: (event: unknown) => void): { push: (event: unknown) => void; close: () => void } {
  const pending = new Map<number, { seconds: DnsSecond[]; timer: ReturnType<typeof setTimeout> }>();
  const flush = (at: number) => {
    const entry = pending.get(at);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(at);
    emit(mergeSeconds(entry.seconds));
  };
  return {
    push(event) {
      const second = event as DnsSecond;
      const entry = pending.get(second.at) ?? { seconds: [], timer: setTimeout(() => flush(second.at), secondWaitMs) };
      entry.seconds.push(second);
      pending.set(second.at, entry);
      if (entry.seconds.length >= workers) flush(second.at);
    },
    close() {
      for (const entry of pending.values()) clearTimeout(entry.timer);
      pending.clear();
    },
  };
}
