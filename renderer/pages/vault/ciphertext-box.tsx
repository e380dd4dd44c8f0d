// A ciphertext to hand on: read-only, with Copy and Download.
import { useState } from 'react';
import { copyText, saveFile } from '../../components/bytes.ts';

export function CiphertextBox({ ciphertext, fileName, onUse }: { ciphertext: string; fileName: string; onUse?(): void }) {
  const [note, setNote] = useState<string | null>(null);
  const copy = async () => setNote((await copyText(ciphertext)) ? 'Copied.' : 'The browser refused the clipboard: select the text and press Ctrl+C.');
  return (
    <div className="vault-ciphertext">
      <label>
        <span>Ciphertext</span>
        <textarea readOnly rows={4} value={ciphertext} spellCheck={false} data-testid="vault-ciphertext" onFocus={(event) => event.target.select()} />
      </label>
      <div className="form-row">
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" onClick={() => saveFile(ciphertext, fileName, 'text/plain')}>
          Download
        </button>
        {onUse && (
          <button type="button" onClick={onUse}>
            Request its decryption
          </button>
        )}
        <span role="status" className="muted">
          {note}
        </span>
      </div>
    </div>
  );
}
