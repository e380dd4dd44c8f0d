// A decrypted plaintext, shown once: as text when it is UTF-8, else as a file to save. The
// Decrypt panel holds it: Clear, or leaving the page, removes it from the screen and overwrites its
// bytes. It never goes to the address bar, storage or a log.
import { useId, useState } from 'react';
import { Badge } from '../../components/badge.tsx';
import { copyText, formatBytes, saveFile } from '../../components/bytes.ts';

export interface Plaintext {
  bytes: Uint8Array<ArrayBuffer>;
  /** The bytes as text, when they are UTF-8; null for binary data. */
  text: string | null;
  delegates: string[];
  hash: string;
}

export function PlaintextView({ plaintext, onClear }: { plaintext: Plaintext; onClear(): void }) {
  const id = useId();
  const [note, setNote] = useState<string | null>(null);

  const copy = async () => {
    if (plaintext.text === null) return;
    setNote(
      (await copyText(plaintext.text))
        ? 'Copied. The clipboard keeps it until something else is copied.'
        : 'The browser refused the clipboard: select the text and press Ctrl+C.',
    );
  };

  return (
    <section className="vault-plaintext" aria-labelledby={`${id}-title`} data-testid="vault-plaintext-panel">
      <h3 id={`${id}-title`}>
        Plaintext <Badge tone="warn">shown once</Badge>
      </h3>
      <p className="muted">
        Decrypted with the delegations of {plaintext.delegates.join(', ') || 'no one'}. Clear it when you are done; leaving this page clears it too.
      </p>
      {plaintext.text !== null ? (
        <pre className="vault-secret" data-testid="vault-plaintext" tabIndex={0} aria-label="Decrypted text">
          {plaintext.text}
        </pre>
      ) : (
        <p data-testid="vault-plaintext" data-binary="true">
          Binary data, {formatBytes(plaintext.bytes.length)}: save it as a file.
        </p>
      )}
      <div className="form-row">
        {plaintext.text !== null && (
          <button type="button" onClick={() => void copy()}>
            Copy
          </button>
        )}
        <button type="button" onClick={() => saveFile(plaintext.bytes, `plaintext-${plaintext.hash.slice(0, 12)}${plaintext.text !== null ? '.txt' : '.bin'}`)}>
          Download
        </button>
        <button type="button" className="primary" onClick={onClear} data-testid="vault-plaintext-clear">
          Clear
        </button>
        <span role="status" className="muted">
          {note}
        </span>
      </div>
    </section>
  );
}
