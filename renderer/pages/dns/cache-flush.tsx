// Empties the cache, or drops one name (every type of it), after asking once.
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { describeError } from '../../components/errors.ts';
import { formatCount } from './dns-names.ts';

export function CacheFlush({ client, cacheEnabled, onFlushed }: { client: ApiClient; cacheEnabled: boolean; onFlushed(): void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const flush = async (event: FormEvent) => {
    event.preventDefault();
    const target = name.trim().replace(/\.$/, '');
    const question = target
      ? `Remove ${target} (every type) from the cache?\n\nThe next query for it goes to an upstream.`
      : 'Flush the whole DNS cache?\n\nEvery query goes to an upstream until the cache fills again, so upstream load and latency rise for a while.';
    if (!window.confirm(question)) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const { removed } = await client.call('dns.cacheFlush', target ? { name: target } : {});
      const entries = `${formatCount(removed)} ${removed === 1 ? 'entry' : 'entries'}`;
      setResult(target ? `Removed ${target} from the cache: ${entries}.` : `Flushed the cache: ${entries} removed.`);
      onFlushed();
    } catch (err) {
      setError(`Could not flush ${target || 'the cache'}: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="dns-form" onSubmit={(event) => void flush(event)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Cache</h3>
      {!cacheEnabled && <p className="muted">The cache is off, so there is nothing to flush.</p>}
      <div className="dns-form-row">
        <label>
          <span>Name (empty: everything)</span>
          <input type="text" value={name} onChange={(event) => setName(event.target.value)} placeholder="www.example.com" spellCheck={false} size={24} data-testid="dns-flush-name" />
        </label>
        <button type="submit" disabled={busy || !cacheEnabled} data-testid="dns-flush">
          {busy ? 'Flushing…' : name.trim() ? 'Flush name' : 'Flush cache'}
        </button>
      </div>
      <p role="status" className="dns-form-result" data-testid="dns-flush-result">
        {result}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
