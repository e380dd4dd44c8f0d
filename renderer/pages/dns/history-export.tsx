// Export of the history selection (the range and filters shown) as CSV, JSON lines or Parquet: the
// host writes the file (host.historyExport), this follows its progress, then reads it in slices
// into the download. A progress bar covers both halves; Cancel stops either.
import { useRef, useState } from 'react';
import type { HistoryExportFormat, QueryLogFilter } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { formatBytes, fromBase64, saveFile } from '../../components/bytes.ts';
import { describeError } from '../../components/errors.ts';
import { formatCount } from '../../components/format.ts';

const formats: { format: HistoryExportFormat; label: string; type: string }[] = [
  { format: 'csv', label: 'CSV', type: 'text/csv' },
  { format: 'jsonl', label: 'JSON lines', type: 'application/jsonl' },
  { format: 'parquet', label: 'Parquet', type: 'application/vnd.apache.parquet' },
];

const pollMs = 250;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Progress {
  /** 0 to 1: the first half is the host writing, the second this page reading. */
  fraction: number;
  text: string;
}

export function HistoryExport({ client, selection }: { client: ApiClient; selection: () => { since: number; until: number; filter: QueryLogFilter } }) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [said, setSaid] = useState<{ result?: string; error?: string }>({});
  const job = useRef<{ id: string; cancelled: boolean } | null>(null);

  const start = async (format: (typeof formats)[number]) => {
    setSaid({});
    setProgress({ fraction: 0, text: 'Starting…' });
    const current = { id: '', cancelled: false };
    job.current = current;
    try {
      const { job: id, fileName } = await client.call('host.historyExport', { ...selection(), table: 'queries', format: format.format });
      current.id = id;
      if (current.cancelled) return void (await client.call('host.historyExportCancel', { job: id }));
      let status = await client.call('host.historyExportStatus', { job: id });
      while (status.state === 'writing' && !current.cancelled) {
        setProgress({ fraction: status.fraction / 2, text: `Writing ${format.label}… ${Math.round(status.fraction * 100)} %` });
        await pause(pollMs);
        status = await client.call('host.historyExportStatus', { job: id });
      }
      if (current.cancelled) return;
      if (status.state !== 'ready') throw new Error(status.error ?? `the export ended ${status.state}`);
      const parts: Uint8Array<ArrayBuffer>[] = [];
      let received = 0;
      for (;;) {
        const slice = await client.call('host.historyExportRead', { job: id, offset: received });
        if (current.cancelled) return;
        const bytes = fromBase64(slice.base64);
        parts.push(bytes);
        received += bytes.length;
        setProgress({
          fraction: 0.5 + (status.bytes ? received / status.bytes / 2 : 0.5),
          text: `Downloading ${formatBytes(received)} of ${formatBytes(status.bytes ?? received)}`,
        });
        if (slice.done) break;
      }
      // The slices become the file as they are: no second copy of a long export in the page.
      saveFile(new Blob(parts, { type: format.type }), fileName, format.type);
      setSaid({ result: `Saved ${fileName}: ${formatCount(status.rows ?? 0)} queries, ${formatBytes(received)}.` });
    } catch (err) {
      // A cancelled job is gone on the host: the calls still running for it fail, as they should.
      if (!current.cancelled) setSaid({ error: `Could not export the history: ${describeError(err)}` });
    } finally {
      job.current = null;
      setProgress(null);
    }
  };

  const cancel = async () => {
    const current = job.current;
    if (!current) return;
    current.cancelled = true;
    if (current.id) await client.call('host.historyExportCancel', { job: current.id }).catch(() => {});
    setSaid({ result: 'Export cancelled.' });
  };

  return (
    <div className="history-export" role="group" aria-label="Export the selection">
      <span className="muted">Export the selection:</span>
      {formats.map((format) => (
        <button
          key={format.format}
          type="button"
          disabled={progress !== null}
          onClick={() => void start(format)}
          data-testid={`dns-history-export-${format.format}`}
        >
          {format.label}
        </button>
      ))}
      {progress && (
        <>
          <progress max={1} value={progress.fraction} aria-label="Export progress" data-testid="dns-history-export-progress" />
          <span aria-live="polite">{progress.text}</span>
          <button type="button" onClick={() => void cancel()} data-testid="dns-history-export-cancel">
            Cancel
          </button>
        </>
      )}
      {said.result && (
        <span role="status" data-testid="dns-history-export-result">
          {said.result}
        </span>
      )}
      {said.error && (
        <span role="alert" className="error" data-testid="dns-history-export-error">
          {said.error}
        </span>
      )}
    </div>
  );
}
