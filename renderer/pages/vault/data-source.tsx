// What to encrypt: typed text, or a file chosen or dropped here (read with progress, 16 MiB at
// most). The bytes stay in this component until the form encodes them for the call.
import { useState } from 'react';
import { formatBytes, readFileBytes } from '../../components/bytes.ts';
import { DropZone } from '../../components/drop-zone.tsx';
import { maxPlaintextBytes } from './vault-contract.ts';

export type DataChoice = { kind: 'text'; text: string } | { kind: 'file'; name: string; bytes: Uint8Array<ArrayBuffer> | null; size: number; read: number };

interface Props {
  value: DataChoice;
  onChange(next: DataChoice): void;
  disabled?: boolean;
}

export function DataSource({ value, onChange, disabled }: Props) {
  const [problem, setProblem] = useState<string | null>(null);

  const take = async (file: File | undefined) => {
    setProblem(null);
    if (!file) return;
    if (file.size > maxPlaintextBytes) {
      setProblem(`${file.name} has ${formatBytes(file.size)}; the vault encrypts at most 16 MiB.`);
      return;
    }
    onChange({ kind: 'file', name: file.name, bytes: null, size: file.size, read: 0 });
    try {
      const bytes = await readFileBytes(file, (fraction) => onChange({ kind: 'file', name: file.name, bytes: null, size: file.size, read: fraction }));
      onChange({ kind: 'file', name: file.name, bytes, size: bytes.length, read: 1 });
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
      onChange({ kind: 'text', text: '' });
    }
  };

  return (
    <fieldset className="vault-data" disabled={disabled}>
      <legend>Data</legend>
      <div className="segmented" role="group" aria-label="Data from">
        <button type="button" aria-pressed={value.kind === 'text'} onClick={() => onChange({ kind: 'text', text: '' })}>
          Text
        </button>
        <button type="button" aria-pressed={value.kind === 'file'} onClick={() => onChange({ kind: 'file', name: '', bytes: null, size: 0, read: 0 })}>
          File
        </button>
      </div>
      <DropZone onFile={(file) => void take(file)} disabled={disabled}>
        {value.kind === 'text' ? (
          <label>
            <span>Text to encrypt (or drop a file here)</span>
            <textarea
              rows={4}
              value={value.text}
              onChange={(event) => onChange({ kind: 'text', text: event.target.value })}
              spellCheck={false}
              autoComplete="off"
              data-testid="vault-encrypt-text"
            />
          </label>
        ) : (
          <div className="vault-file">
            <label>
              <span>File to encrypt (choose, or drop it here; at most 16 MiB)</span>
              <input type="file" onChange={(event) => void take(event.target.files?.[0])} />
            </label>
            {value.name && value.bytes === null && (
              <label>
                <span>Reading {value.name}</span>
                <progress value={value.read} max={1} />
              </label>
            )}
            {value.bytes && (
              <span>
                {value.name}: {formatBytes(value.size)}
              </span>
            )}
          </div>
        )}
      </DropZone>
      {problem && <p className="error">{problem}</p>}
    </fieldset>
  );
}

/** The bytes to encrypt, or why there are none yet. */
export function dataBytes(choice: DataChoice): Uint8Array | { error: string } {
  if (choice.kind === 'text') {
    if (choice.text === '') return { error: 'Write the text to encrypt, or choose a file.' };
    const bytes = new TextEncoder().encode(choice.text);
    return bytes.length > maxPlaintextBytes ? { error: `The text has ${formatBytes(bytes.length)}; the vault encrypts at most 16 MiB.` } : bytes;
  }
  if (!choice.bytes) return { error: choice.name ? `Still reading ${choice.name}.` : 'Choose the file to encrypt.' };
  return choice.bytes;
}
