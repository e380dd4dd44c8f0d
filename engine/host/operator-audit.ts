// Every operator action on record: config changes, cache flushes, upstreams taken out or put back,
// Railgun started or stopped, engine restarts and upgrades go to one hash-chained log in the data
// folder, with who (the console session), what, the config before and after, when, and how it
// ended. Same class and file format as the vault's audit log (engine/common/audit-log.ts).
import { join } from 'node:path';
import { AuditLog, type AuditEntry, type ChainCheck } from '../common/audit-log.ts';

export const operatorAuditFile = 'operator-audit.log';

export type OperatorEvent = 'config-set' | 'railgun-start' | 'railgun-stop' | 'cache-flush' | 'upstream-set' | 'engine-restart' | 'engine-upgrade';
export type OperatorEntry = AuditEntry<OperatorEvent | 'audit-recovered'>;

const audited: Record<string, OperatorEvent> = {
  'dns.configSet': 'config-set',
  'railgun.configSet': 'config-set',
  'dns.cacheFlush': 'cache-flush',
  'dns.setUpstream': 'upstream-set',
  'host.restartEngine': 'engine-restart',
  'host.upgradeEngine': 'engine-upgrade',
};

/** Keys whose values stay out of the log (file paths of keys and tokens are fine; their contents never reach a config). */
const secretKey = /password|secret|token(?!File)|privateKey/i;
/** Changes listed per entry; a bigger change says how many more. */
const maxChanges = 40;

type Details = AuditEntry['details'];
type Json = unknown;

/** Every leaf of a config as "a.b.c" -> JSON text. */
function leaves(value: Json, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** "rrl.window: 15 → 20" for each key that differs. */
export function configChanges(before: Json, after: Json): string[] {
  const old = leaves(before);
  const now = leaves(after);
  const changes: string[] = [];
  for (const key of new Set([...old.keys(), ...now.keys()])) {
    if (old.get(key) === now.get(key)) continue;
    changes.push(secretKey.test(key) ? `${key}: changed (value not recorded)` : `${key}: ${old.get(key) ?? '(none)'} → ${now.get(key) ?? '(none)'}`);
  }
  return changes.length > maxChanges ? [...changes.slice(0, maxChanges), `… and ${changes.length - maxChanges} more`] : changes;
}

const configOf = (value: unknown) => (value as { config?: unknown } | null)?.config;

export class OperatorAudit {
  private readonly log: AuditLog<OperatorEvent>;

  private constructor(log: AuditLog<OperatorEvent>) {
    this.log = log;
  }

  /** Opens (or starts) the log in `dataDir` and checks its chain. */
  static async open(dataDir: string): Promise<OperatorAudit> {
    const log = new AuditLog<OperatorEvent>(join(dataDir, operatorAuditFile));
    await log.open();
    return new OperatorAudit(log);
  }

  covers(method: string): boolean {
    return Object.hasOwn(audited, method);
  }

  get check(): ChainCheck {
    return this.log.status;
  }

  read(limit: number, beforeSeq?: number): Promise<OperatorEntry[]> {
    return this.log.read(limit, beforeSeq);
  }

  /**
   * Runs an audited call and records it, done or refused. `readConfig` gives the config before a
   * configSet, so the entry lists what changed.
   */
  async around(
    method: string,
    params: unknown,
    actor: string,
    run: () => Promise<unknown>,
    readConfig: (method: string) => Promise<unknown>,
  ): Promise<unknown> {
    const engine = method.slice(0, method.indexOf('.'));
    const isConfig = method.endsWith('.configSet');
    const before = isConfig ? configOf(await readConfig(`${engine}.configGet`).catch(() => null)) : undefined;
    let event = audited[method]!;
    const details: Details = { ...this.subject(method, params) };
    try {
      const result = await run();
      if (isConfig) {
        const after = configOf(result);
        details.changes = configChanges(before ?? null, after);
        if (engine === 'railgun' && (before as { running?: boolean } | undefined)?.running !== (after as { running?: boolean }).running) {
          event = (after as { running?: boolean }).running ? 'railgun-start' : 'railgun-stop';
        }
      }
      if (method === 'host.upgradeEngine') details.phase = (result as { phase: string }).phase;
      if (method === 'dns.cacheFlush') details.removed = (result as { removed?: number }).removed ?? null;
      await this.log.append(event, actor, { ...details, result: 'done' });
      return result;
    } catch (err) {
      const error = err as { code?: string; message?: string };
      if (isConfig) details.changes = configChanges(before ?? null, configOf(params));
      await this.log.append(event, actor, { ...details, result: 'refused', code: error.code ?? null, error: error.message ?? String(err) });
      throw err;
    }
  }

  /** What the action was on: the engine, the upstream, the name flushed. */
  private subject(method: string, params: unknown): Details {
    const p = (params ?? {}) as Record<string, unknown>;
    if (method.startsWith('host.')) return { engine: String(p.name) };
    const engine = method.slice(0, method.indexOf('.'));
    if (method === 'dns.setUpstream') return { engine, upstream: String(p.address), enabled: Boolean(p.enabled) };
    if (method === 'dns.cacheFlush') return { engine, name: typeof p.name === 'string' ? p.name : '(all)' };
    return { engine };
  }
}
