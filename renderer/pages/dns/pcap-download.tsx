// Saves the captured packets of the last queries as a pcap file (dns.pcap), for Wireshark or tcpdump.
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { fromBase64, saveFile } from '../../components/bytes.ts';
import { describeError } from '../../components/errors.ts';
import { formatCount } from './dns-names.ts';

export function PcapDownload({ client }: { client: ApiClient }) {
  const id = useId();
  const [limit, setLimit] = useState('1000');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const download = async (event: FormEvent) => {
    event.preventDefault();
    const count = Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > 100_000) {
      setError('Queries: write a whole number from 1 to 100,000.');
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const { fileName, base64, packets } = await client.call('dns.pcap', { limit: count });
      saveFile(fromBase64(base64), fileName, 'application/vnd.tcpdump.pcap');
      setResult(`Saved ${fileName}: ${formatCount(packets)} packets.`);
    } catch (err) {
      setError(`Could not export the packets: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="dns-form" onSubmit={(event) => void download(event)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Packet capture</h3>
      <div className="dns-form-row">
        <label>
          <span>Last queries</span>
          <input type="number" inputMode="numeric" value={limit} onChange={(event) => setLimit(event.target.value)} size={8} aria-invalid={error !== null && error.startsWith('Queries')} />
        </label>
        <button type="submit" disabled={busy} data-testid="dns-pcap">
          {busy ? 'Preparing…' : 'Download pcap'}
        </button>
      </div>
      <p className="muted">Only queries still in the engine's capture ring are included (querylog.capture).</p>
      <p role="status" className="dns-form-result">
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
