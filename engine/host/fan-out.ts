// An engine running several worker processes (the DNS engine's `workers`) still answers as one:
// each call reaches its workers as the engine declares (engine/<name>/definition.ts: one worker,
// every worker with its answers merged, or the worker that holds what is asked for); a stream is
// subscribed on every worker and, where the engine says so, events of the same key (a second) merged.
import { ApiError, ErrorCode } from '../api/errors.ts';
import type { ProcedureFanOut, StreamFanOut } from '../api/fan-out.ts';
import type { EngineName } from '../api/host.ts';
import type { Caller } from '../api/identity.ts';
import { namespaceOf, type ProcedureName, type StreamName } from '../api/index.ts';
import { partsOf } from './registry.ts';
import type { RpcClient } from './rpc.ts';

const rulesOf = (name: string) => partsOf(namespaceOf(name) as EngineName).fanOut;

/** `workers[i]`: worker i's client, undefined while it is not running. */
export async function fanOutCall(method: string, params: unknown, workers: (RpcClient | undefined)[], caller?: Caller): Promise<unknown> {
  const running = workers.filter((client) => client !== undefined);
  const rule = (rulesOf(method)?.procedures as Record<string, ProcedureFanOut<ProcedureName>> | undefined)?.[method];
  if (!rule || rule.to === 'one') return running[0]!.call(method, params, undefined, caller);
  if (rule.to === 'bySeq') {
    const index = rule.worker(params as never, workers.length);
    const client = workers[index];
    if (!client)
      throw new ApiError(
        ErrorCode.engineUnavailable,
        `${method}: worker ${index} of the ${namespaceOf(method)} engine, which holds what was asked for, is not running; try again once it is back`,
      );
    return client.call(method, params, undefined, caller);
  }
  const answers = await Promise.all(running.map((client) => client.call(method, params, undefined, caller)));
  return rule.merge(answers as never[], (params ?? {}) as never);
}

/** How long a keyed event waits for the workers that have not sent theirs yet (one restarting, say). */
const secondWaitMs = 1500;

export function fanOutSubscribe(
  stream: string,
  params: unknown,
  clients: RpcClient[],
  emit: (event: unknown) => void,
  end: (error?: ApiError) => void,
): () => void {
  const rule = (rulesOf(stream)?.streams as Record<string, StreamFanOut<StreamName>> | undefined)?.[stream];
  const forward =
    rule && 'keyOf' in rule
      ? keyedMerger(clients.length, rule.keyOf as (event: unknown) => number, rule.merge as (events: unknown[]) => unknown, emit)
      : { push: emit, close: () => {} };
  const detachers = clients.map((client) => client.subscribe(stream, params, forward.push, end));
  return () => {
    forward.close();
    for (const detach of detachers) detach();
  };
}

function keyedMerger(
  workers: number,
  keyOf: (event: unknown) => number,
  merge: (events: unknown[]) => unknown,
  emit: (event: unknown) => void,
): { push: (event: unknown) => void; close: () => void } {
  const pending = new Map<number, { events: unknown[]; timer: ReturnType<typeof setTimeout> }>();
  const flush = (key: number) => {
    const entry = pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(key);
    emit(merge(entry.events));
  };
  return {
    push(event) {
      const key = keyOf(event);
      const entry = pending.get(key) ?? { events: [], timer: setTimeout(() => flush(key), secondWaitMs) };
      entry.events.push(event);
      pending.set(key, entry);
      if (entry.events.length >= workers) flush(key);
    },
    close() {
      for (const entry of pending.values()) clearTimeout(entry.timer);
      pending.clear();
    },
  };
}
