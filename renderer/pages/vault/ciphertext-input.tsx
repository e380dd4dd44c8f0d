// A ciphertext pasted, dropped or chosen as a file, and what the vault says about it
// (vault.owners: owners, access, labels; its authenticity checked) once typing pauses.
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { DropZone } from '../../components/drop-zone.tsx';
import { CiphertextInfoView } from './ciphertext-info.tsx';
import { describeVaultError, fitsOneMessage, type CiphertextInfo } from './vault-contract.ts';

const maxCiphertextFileBytes = 96 * 1024 * 1024;
const settleMs = 400;

interface Props {
  client: ApiClient;
  value: string;
  onChange(ciphertext: string): void;
  /** Called with each ciphertext the vault recognised, so other panels can find it by hash. */
  onInfo?(info: CiphertextInfo, ciphertext: string): void;
  disabled?: boolean;
  testId?: string;
}

export function CiphertextInput({ client, value, onChange, onInfo, disabled, testId }: Props) {
  const [problem, setProblem] = useState<string | null>(null);
  const { info, error, checking } = useCiphertextInfo(client, value.trim(), onInfo);

  const take = async (file: File | undefined) => {
    setProblem(null);
    if (!file) return;
    if (file.size > maxCiphertextFileBytes) return setProblem(`${file.name} is too large for a ciphertext.`);
    try {
      onChange((await file.text()).trim());
    } catch (err) {
      setProblem(`Cannot read ${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return (
    <DropZone onFile={(file) => void take(file)} disabled={disabled}>
      <label>
        <span>Ciphertext (paste it, drop its file here, or choose the file)</span>
        <textarea
          rows={3}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          spellCheck={false}
          autoComplete="off"
          disabled={disabled}
          data-testid={testId}
        />
      </label>
      <input type="file" aria-label="Ciphertext file" onChange={(event) => void take(event.target.files?.[0])} disabled={disabled} />
      {problem && <p className="error">{problem}</p>}
      <div aria-live="polite">
        {checking && <p className="muted">Asking the vault about this ciphertext…</p>}
        {error && <p className="error">{error}</p>}
        {info && <CiphertextInfoView info={info} testId={testId ? `${testId}-info` : undefined} />}
      </div>
    </DropZone>
  );
}

function useCiphertextInfo(
  client: ApiClient,
  ciphertext: string,
  onInfo: Props['onInfo'],
): { info: CiphertextInfo | null; error: string | null; checking: boolean } {
  const [state, setState] = useState<{ info: CiphertextInfo | null; error: string | null; checking: boolean }>({ info: null, error: null, checking: false });
  const reported = useRef(onInfo);
  reported.current = onInfo;

  useEffect(() => {
    if (!ciphertext) {
      setState({ info: null, error: null, checking: false });
      return;
    }
    if (!fitsOneMessage(client, ciphertext.length)) {
      setState({
        info: null,
        error: 'This ciphertext is larger than this browser connection carries in one message (1 MiB); use the desktop app.',
        checking: false,
      });
      return;
    }
    let active = true;
    setState({ info: null, error: null, checking: true });
    const timer = setTimeout(() => {
      client.call('vault.owners', { ciphertext }).then(
        (info) => {
          if (!active) return;
          setState({ info, error: null, checking: false });
          reported.current?.(info, ciphertext);
        },
        (err: unknown) => {
          if (active) setState({ info: null, error: `The vault does not accept this ciphertext: ${describeVaultError(err)}`, checking: false });
        },
      );
    }, settleMs);
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [client, ciphertext, reported]);

  return state;
}
