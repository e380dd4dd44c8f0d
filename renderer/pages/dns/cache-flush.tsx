// Empties the cache, or drops one name (every type of it), after asking once.
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { formatCount } from '../../components/format.ts';
import { RoleNote } from '../../components/role-note.tsx';
import { useFormCall } from '../../components/use-form-call.ts';

export function CacheFlush({ client, cacheEnabled, onFlushed }: { client: ApiClient; cacheEnabled: boolean; onFlushed(): void }) {
  const id = useId();
  const [name, setName] = useState('');
  const call = useFormCall();
  const can = useCan('dns.cacheFlush');

  const flush = async (event: FormEvent) => {
    event.preventDefault();
    const target = name.trim().replace(/\.$/, '');
    const question = target
      ? `Remove ${target} (every type) from the cache?\n\nThe next query for it goes to an upstream.`
      : 'Flush the whole DNS cache?\n\nEvery query goes to an upstream until the cache fills again, so upstream load and latency rise for a while.';
    if (!window.confirm(question)) return;
    await call.run(`Could not flush ${target || 'the cache'}`, async () => {
      const { removed } = await client.call('dns.cacheFlush', target ? { name: target } : {});
      onFlushed();
      const entries = `${formatCount(removed)} ${removed === 1 ? 'entry' : 'entries'}`;
      return target ? `Removed ${target} from the cache: ${entries}.` : `Flushed the cache: ${entries} removed.`;
    });
  };

  return (
    <form className="form" onSubmit={(event) => void flush(event)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Cache</h3>
      {!cacheEnabled && <p className="muted">The cache is off, so there is nothing to flush.</p>}
      <RoleNote can={can} testId="dns-flush-forbidden" />
      <div className="form-row">
        <label>
          <span>Name (empty: everything)</span>
          <input
            type="text"
            value={name}
            disabled={!can.allowed}
            onChange={(event) => setName(event.target.value)}
            placeholder="www.example.com"
            spellCheck={false}
            size={24}
            data-testid="dns-flush-name"
          />
        </label>
        <button type="submit" disabled={call.busy || !cacheEnabled || !can.allowed} title={can.reason} data-testid="dns-flush">
          {call.busy ? 'Flushing…' : name.trim() ? 'Flush name' : 'Flush cache'}
        </button>
      </div>
      <FormStatus result={call.result} error={call.error} testId="dns-flush" />
    </form>
  );
}
