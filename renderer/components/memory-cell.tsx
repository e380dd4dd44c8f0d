// A table cell with a process's memory in MiB, or a dash until the process has reported it.
import { formatMiB } from './format.ts';

export function MemoryCell({ bytes }: { bytes: number | null }) {
  return (
    <td className="num">
      {bytes === null ? (
        '—'
      ) : (
        <>
          {formatMiB(bytes)}
          <span className="unit">MiB</span>
        </>
      )}
    </td>
  );
}
