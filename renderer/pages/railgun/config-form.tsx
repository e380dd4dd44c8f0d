// Where the ends connect and what they keep: origin, the sender's address, the limits and the
// sender's version store (memory, or Redis shared with other senders), changed with
// railgun.configSet. The engine shows a Redis password as *** and keeps it when *** comes back. The whole config goes back with the change and the engine validates it;
// a field it refuses is marked with the engine's own words.
import { useId, useState, type FormEvent } from 'react';
import type { RailgunConfig, RailgunLimits, RailgunStore } from '../../../engine/api/index.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { formatLocalTime, formatSize } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { useCan } from '../../api/identity.ts';
import { RoleNote } from '../../components/role-note.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { describeRailgunError, fieldErrors, limitRanges } from './railgun-contract.ts';
import type { RailgunConfigView } from './use-railgun-config.ts';

/** The store's fields as typed: maxBytes empty = the operator sets Redis's maxmemory. */
type StoreDraft = { storeKind: 'memory' | 'redis'; storeUrl: string; storeMaxBytes: string; storeTtl: string };
type Draft = { origin: string; listen: string } & Record<keyof RailgunLimits, string> & StoreDraft;

/** What a new Redis store starts from (the schema's ttl default). */
const redisDefaults = { url: 'redis://127.0.0.1:6379', ttl: 86400 };

function storeDraft(store: RailgunStore): StoreDraft {
  if (store.kind === 'memory') return { storeKind: 'memory', storeUrl: redisDefaults.url, storeMaxBytes: '', storeTtl: String(redisDefaults.ttl) };
  return { storeKind: 'redis', storeUrl: store.url, storeMaxBytes: store.maxBytes === undefined ? '' : String(store.maxBytes), storeTtl: String(store.ttl) };
}

const limitKeys = [
  'versionsPerKey',
  'storeBytes',
  'maxDeltaBodyBytes',
  'deltaLevel',
  'fullLevel',
  'largeBodyBytes',
  'largeBodyLevel',
] as const satisfies readonly (keyof RailgunLimits)[];

function toDraft(config: RailgunConfig): Draft {
  const limits = Object.fromEntries(limitKeys.map((key) => [key, String(config.limits[key])])) as Record<keyof RailgunLimits, string>;
  return { origin: config.origin, listen: config.listen, ...limits, ...storeDraft(config.store) };
}

const labels: Record<keyof RailgunLimits, string> = {
  versionsPerKey: 'Versions per page',
  storeBytes: 'Store size (bytes)',
  maxDeltaBodyBytes: 'Largest delta body (bytes)',
  deltaLevel: 'zstd level, deltas',
  fullLevel: 'zstd level, full bodies',
  largeBodyBytes: 'Large body from (bytes)',
  largeBodyLevel: 'zstd level, large bodies',
};

/** Where the ends connect; each concerns one end only, so a config of the other role cannot set it. */
const addresses = [
  { key: 'origin', label: 'Origin', hint: 'where the listener fetches pages, http(s)://HOST:PORT', otherEnd: 'sender' },
  { key: 'listen', label: 'Sender address', hint: 'ADDRESS:PORT where clients connect', otherEnd: 'listener' },
] as const;

const bytesKeys = new Set<keyof RailgunLimits>(['storeBytes', 'maxDeltaBodyBytes', 'largeBodyBytes']);

function rangeOf(key: keyof RailgunLimits): string {
  const { min, max } = limitRanges[key];
  return bytesKeys.has(key) ? `${formatSize(min)} to ${formatSize(max)}` : `${min} to ${max}`;
}

/** The config with the draft's changes, or what is wrong with a field before anything is sent. */
function applyDraft(config: RailgunConfig, draft: Draft): { config: RailgunConfig } | { error: string; field: string } {
  const limits = { ...config.limits };
  for (const key of limitKeys) {
    const text = draft[key].trim();
    if (text === '' || !Number.isFinite(Number(text))) return { error: `${labels[key]}: write a number.`, field: `limits.${key}` };
    limits[key] = Number(text);
  }
  const store = applyStore(draft);
  if ('error' in store) return store;
  return { config: { ...config, origin: draft.origin.trim(), listen: draft.listen.trim(), limits, store } };
}

function applyStore(draft: Draft): RailgunStore | { error: string; field: string } {
  if (draft.storeKind === 'memory') return { kind: 'memory' };
  const ttl = draft.storeTtl.trim();
  if (!/^\d+$/.test(ttl)) return { error: 'Redis TTL: write a whole number of seconds.', field: 'store.ttl' };
  const maxBytes = draft.storeMaxBytes.trim();
  if (maxBytes !== '' && !/^\d+$/.test(maxBytes)) return { error: 'Redis memory: write a number of bytes, or leave it empty.', field: 'store.maxBytes' };
  return { kind: 'redis', url: draft.storeUrl.trim(), ttl: Number(ttl), ...(maxBytes === '' ? {} : { maxBytes: Number(maxBytes) }) };
}

interface FieldProps {
  id: string;
  name: string;
  label: string;
  hint: string;
  value: string;
  error: string | undefined;
  numeric?: boolean;
  disabled?: boolean;
  onChange(value: string): void;
}

function Field({ id, name, label, hint, value, error, numeric, disabled, onChange }: FieldProps) {
  const hintId = `${id}-${name}-hint`;
  const errorId = `${id}-${name}-error`;
  return (
    <label className="railgun-field">
      <span>{label}</span>
      <input
        type="text"
        inputMode={numeric ? 'numeric' : undefined}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        spellCheck={false}
        size={numeric ? 12 : 28}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${errorId} ${hintId}` : hintId}
        data-testid={`railgun-config-${name.replace(/^(limits|store)\./, '')}`}
      />
      <span id={hintId} className="railgun-hint">
        {hint}
      </span>
      {error && (
        <span id={errorId} className="error">
          {error}
        </span>
      )}
    </label>
  );
}

export function ConfigForm({ settings }: { settings: RailgunConfigView }) {
  const id = useId();
  const { config, loadError } = settings;
  const [draft, setDraft] = useState<Draft | null>(null);
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const call = useFormCall((err) => {
    setInvalid(fieldErrors(err));
    return describeRailgunError(err);
  });
  const can = useCan('railgun.configSet');

  // The form starts from the running config and follows it until the operator edits a field.
  const shown = draft ?? (config && toDraft(config));
  const changed = config !== null && shown !== null && JSON.stringify(toDraft(config)) !== JSON.stringify(shown);
  const set = (key: keyof Draft, value: string) => shown && setDraft({ ...shown, [key]: value });

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    if (!config || !shown) return;
    const next = applyDraft(config, shown);
    setInvalid('error' in next ? { [next.field]: next.error } : {});
    if ('error' in next) return call.fail(next.error);
    await call.run('Not applied', async () => {
      await settings.apply(next.config);
      setDraft(null);
      return `Applied at ${formatLocalTime(Date.now())}.`;
    });
  };

  const undo = () => {
    setDraft(null);
    setInvalid({});
    call.say(null);
  };

  const role = config?.role;
  return (
    <Panel
      headingId={`${id}-title`}
      title="Config"
      error={
        loadError && (
          <>
            {loadError}{' '}
            <button type="button" onClick={settings.reload}>
              Read again
            </button>
          </>
        )
      }
    >
      {shown && (
        <form className="form railgun-config" onSubmit={(event) => void apply(event)} aria-describedby={`${id}-note`} data-testid="railgun-config" noValidate>
          <p id={`${id}-note`} className="muted">
            Limits apply at once. A new origin or address restarts the ends: requests in flight fail and both ends forget the versions they hold. Changes last
            until the host stops; copy them to signalbox.yaml to keep them.
          </p>
          <RoleNote can={can} testId="railgun-config-forbidden" />
          <fieldset disabled={!can.allowed} title={can.reason}>
            <legend className="visually-hidden">Addresses and limits</legend>
            <div className="form-row">
              {addresses.map(({ key, label, hint, otherEnd }) => (
                <Field
                  key={key}
                  id={id}
                  name={key}
                  label={label}
                  hint={role === otherEnd ? 'set on the other end, not this one' : hint}
                  value={shown[key]}
                  error={invalid[key]}
                  disabled={role === otherEnd}
                  onChange={(value) => set(key, value)}
                />
              ))}
            </div>
            <fieldset className="form-row">
              <legend>Limits, per end</legend>
              {limitKeys.map((key) => (
                <Field
                  key={key}
                  id={id}
                  name={`limits.${key}`}
                  label={labels[key]}
                  hint={bytesKeys.has(key) && Number.isFinite(Number(shown[key])) ? `${formatSize(Number(shown[key]))}; ${rangeOf(key)}` : rangeOf(key)}
                  value={shown[key]}
                  error={invalid[`limits.${key}`]}
                  numeric
                  onChange={(value) => set(key, value)}
                />
              ))}
            </fieldset>
          </fieldset>
          <fieldset className="form-row" disabled={role === 'listener'}>
            <legend>Version store, sender{role === 'listener' ? ' (set on the other end, not this one)' : ''}</legend>
            <label className="railgun-field">
              <span>Kind</span>
              <select value={shown.storeKind} onChange={(event) => set('storeKind', event.target.value)} data-testid="railgun-config-store-kind">
                <option value="memory">memory (this process)</option>
                <option value="redis">Redis (shared by senders)</option>
              </select>
              <span className="railgun-hint">Redis: senders behind one load balancer share their versions. Changing it restarts the ends.</span>
            </label>
            {shown.storeKind === 'redis' && (
              <>
                <Field
                  id={id}
                  name="store.url"
                  label="Redis URL"
                  hint="redis://[user:password@]HOST:PORT[/db] or rediss://; a password shows as ***"
                  value={shown.storeUrl}
                  error={invalid['store.url']}
                  onChange={(value) => set('storeUrl', value)}
                />
                <Field
                  id={id}
                  name="store.maxBytes"
                  label="Redis memory (bytes)"
                  hint={
                    shown.storeMaxBytes.trim() === ''
                      ? "empty: Redis's own maxmemory"
                      : Number.isFinite(Number(shown.storeMaxBytes))
                        ? `${formatSize(Number(shown.storeMaxBytes))}; sets maxmemory, volatile-lru`
                        : 'sets maxmemory, volatile-lru'
                  }
                  value={shown.storeMaxBytes}
                  error={invalid['store.maxBytes']}
                  numeric
                  onChange={(value) => set('storeMaxBytes', value)}
                />
                <Field
                  id={id}
                  name="store.ttl"
                  label="Redis TTL (s)"
                  hint="an unused version of a cacheable page goes after this; no-store ones after noStoreIdleMs"
                  value={shown.storeTtl}
                  error={invalid['store.ttl']}
                  numeric
                  onChange={(value) => set('storeTtl', value)}
                />
              </>
            )}
          </fieldset>
          <div className="form-row">
            <button type="submit" disabled={call.busy || !changed || !can.allowed} title={can.reason} data-testid="railgun-config-apply">
              {call.busy ? 'Applying…' : 'Apply'}
            </button>
            <button type="button" disabled={call.busy || !changed} onClick={undo}>
              Undo changes
            </button>
          </div>
          <FormStatus result={call.result} error={call.error} testId="railgun-config" />
        </form>
      )}
      {!shown && !loadError && <p className="muted">Reading the running config…</p>}
    </Panel>
  );
}
