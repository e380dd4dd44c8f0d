// Saves the captured packets of the last queries as a pcap file (dns.pcap), for Wireshark or tcpdump.
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { fromBase64, saveFile } from '../../components/bytes.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { formatCount } from '../../components/format.ts';
import { useFormCall } from '../../components/use-form-call.ts';

export function PcapDownload({ client }: { client: ApiClient }) {
  const id = useId();
  const [limit, setLimit] = useState('1000');
  const call = useFormCall();

  const download = async (event: FormEvent) => {
    event.preventDefault();
    const count = Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > 100_000) return call.fail('Queries: write a whole number from 1 to 100,000.');
    await call.run('Could not export the packets', async () => {
      const { fileName, base64, packets } = await client.call('dns.pcap', { limit: count });
      saveFile(fromBase64(base64), fileName, 'application/vnd.tcpdump.pcap');
      return `Saved ${fileName}: ${formatCount(packets)} packets.`;
    });
  };

  return (
    <form className="form" onSubmit={(event) => void download(event)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Packet capture</h3>
      <div className="form-row">
        <label>
          <span>Last queries</span>
          <input
            type="number"
            inputMode="numeric"
            value={limit}
            onChange={(event) => setLimit(event.target.value)}
            size={8}
            aria-invalid={call.error?.startsWith('Queries') ?? false}
          />
        </label>
        <button type="submit" disabled={call.busy} data-testid="dns-pcap">
          {call.busy ? 'Preparing…' : 'Download pcap'}
        </button>
      </div>
      <p className="muted">Only queries still in the engine's capture ring are included (querylog.capture).</p>
      <FormStatus result={call.result} error={call.error} />
    </form>
  );
}
