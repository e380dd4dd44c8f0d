// The running engine's rate limiting and cache switches (dns.configGet), changed live with
// dns.configSet: the whole config goes back with the change, and the engine validates it.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { DnsConfig } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { describeError } from '../../components/errors.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { formatLocalTime } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { RoleNote } from '../../components/role-note.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { describeRefusal } from './config-refusal.ts';

interface Draft {
  cacheEnabled: boolean;
  rrlEnabled: boolean;
  responsesPerSecond: string;
  window: string;
  slip: string;
  logOnly: boolean;
}

function toDraft(config: DnsConfig): Draft {
  return {
    cacheEnabled: config.cache.enabled,
    rrlEnabled: config.rrl.enabled,
    responsesPerSecond: String(config.rrl.responsesPerSecond),
    window: String(config.rrl.window),
    slip: String(config.rrl.slip),
    logOnly: config.rrl.logOnly,
  };
}

/** The config with the draft's changes, or what is wrong with a field before it is sent. */
function applyDraft(config: DnsConfig, draft: Draft): { config: DnsConfig } | { error: string } {
  const numbers: [string, string][] = [
    ['Responses per second', draft.responsesPerSecond],
    ['Window', draft.window],
    ['Slip', draft.slip],
  ];
  for (const [label, text] of numbers) {
    if (text.trim() === '' || !Number.isFinite(Number(text))) return { error: `${label}: write a number.` };
  }
  return {
    config: {
      ...config,
      cache: { ...config.cache, enabled: draft.cacheEnabled },
      rrl: {
        ...config.rrl,
        enabled: draft.rrlEnabled,
        responsesPerSecond: Number(draft.responsesPerSecond),
        window: Number(draft.window),
        slip: Number(draft.slip),
        logOnly: draft.logOnly,
      },
    },
  };
}

export function ConfigPanel({ client, onApplied }: { client: ApiClient; onApplied(): void }) {
  const id = useId();
  const [config, setConfig] = useState<DnsConfig | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const call = useFormCall(describeRefusal);
  const can = useCan('dns.configSet');

  const load = useCallback(() => {
    setLoadError(null);
    client.call('dns.configGet', {}).then(
      ({ config: running }) => {
        setConfig(running);
        setDraft(toDraft(running));
      },
      (err: unknown) => setLoadError(`Could not read the running config: ${describeError(err)}`),
    );
  }, [client]);
  useEffect(load, [load]);

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    if (!config || !draft) return;
    const next = applyDraft(config, draft);
    if ('error' in next) return call.fail(next.error);
    await call.run('Not applied', async () => {
      const answer = await client.call('dns.configSet', next);
      setConfig(answer.config);
      setDraft(toDraft(answer.config));
      onApplied();
      return `Applied at ${formatLocalTime(Date.now())}.`;
    });
  };

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => (d ? { ...d, [key]: value } : d));
  const changed = config !== null && draft !== null && JSON.stringify(toDraft(config)) !== JSON.stringify(draft);
  const rrlOff = !draft?.rrlEnabled;

  return (
    <Panel
      headingId={`${id}-title`}
      title="Rate limiting and cache"
      error={
        loadError && (
          <>
            {loadError}{' '}
            <button type="button" onClick={load}>
              Read again
            </button>
          </>
        )
      }
    >
      {draft && (
        <form className="form dns-config" onSubmit={(event) => void apply(event)} aria-describedby={`${id}-note`} data-testid="dns-config">
          <p id={`${id}-note`} className="muted">
            Changes apply at once to the running engine, without dropping queries, and last until the host stops. They are not written to the YAML file: copy
            them there to keep them.
          </p>
          <RoleNote can={can} testId="dns-config-forbidden" />
          <fieldset disabled={!can.allowed} title={can.reason}>
            <legend className="visually-hidden">Settings</legend>
            <label className="check">
              <input type="checkbox" checked={draft.cacheEnabled} onChange={(event) => set('cacheEnabled', event.target.checked)} />
              <span>Cache answers</span>
            </label>
            <label className="check">
              <input type="checkbox" checked={draft.rrlEnabled} onChange={(event) => set('rrlEnabled', event.target.checked)} />
              <span>Response rate limiting (RRL)</span>
            </label>
            <fieldset disabled={rrlOff}>
              <legend className="visually-hidden">RRL settings</legend>
              <label>
                <span>Responses per second</span>
                <input type="number" step="any" value={draft.responsesPerSecond} onChange={(event) => set('responsesPerSecond', event.target.value)} size={8} />
              </label>
              <label>
                <span>Window (s)</span>
                <input type="number" step="1" value={draft.window} onChange={(event) => set('window', event.target.value)} size={5} />
              </label>
              <label>
                <span>Slip (every Nth as TC=1; 0 never)</span>
                <input type="number" step="1" value={draft.slip} onChange={(event) => set('slip', event.target.value)} size={4} />
              </label>
              <label className="check">
                <input type="checkbox" checked={draft.logOnly} onChange={(event) => set('logOnly', event.target.checked)} />
                <span>Log only (count, do not limit)</span>
              </label>
            </fieldset>
          </fieldset>
          <div className="form-row">
            <button type="submit" disabled={call.busy || !changed || !can.allowed} title={can.reason} data-testid="dns-config-apply">
              {call.busy ? 'Applying…' : 'Apply'}
            </button>
            <button type="button" disabled={call.busy || !changed} onClick={() => config && setDraft(toDraft(config))}>
              Undo changes
            </button>
          </div>
          <FormStatus result={call.result} error={call.error} testId="dns-config" />
        </form>
      )}
      {!draft && !loadError && <p className="muted">Reading the running config…</p>}
    </Panel>
  );
}
