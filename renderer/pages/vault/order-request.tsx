// A requester asks the owners of a ciphertext to approve its decryption: for a reason, within a
// time, for a number of uses. The owners then approve from their own consoles.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { CiphertextInput } from './ciphertext-input.tsx';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { DurationInput, durationDraft, durationSeconds, usesCount } from './duration-input.tsx';
import { FormStatus } from './form-status.tsx';
import { describeVaultError, maxUses, type CiphertextInfo, type VaultOrder } from './vault-contract.ts';

interface Props {
  client: ApiClient;
  /** A ciphertext handed over by another panel (Encrypt's "Request its decryption"). */
  preset: { ciphertext: string; at: number } | null;
  onInfo(info: CiphertextInfo, ciphertext: string): void;
  onPlaced(order: VaultOrder, ciphertext: string): void;
}

export function OrderRequest({ client, preset, onInfo, onPlaced }: Props) {
  const id = useId();
  const [ciphertext, setCiphertext] = useState('');
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState(durationDraft(1, 'hours'));
  const [uses, setUses] = useState('1');
  const me = useCredentials();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (preset) setCiphertext(preset.ciphertext);
  }, [preset]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const seconds = durationSeconds(duration, 'Time');
    const count = usesCount(uses, maxUses);
    const text = ciphertext.trim();
    setResult(null);
    if (!text) return setError('Paste the ciphertext to decrypt.');
    if (!reason.trim()) return setError('Reason: say why you need it; the owners read it before they approve.');
    if (typeof seconds !== 'number') return setError(seconds.error);
    if (typeof count !== 'number') return setError(count.error);
    if (isError(credentials)) return setError(credentials.error);
    setBusy(true);
    setError(null);
    try {
      const { order } = await client.call('vault.order', { credentials, ciphertext: text, reason: reason.trim(), seconds, uses: count });
      setResult(`Order ${order.id} placed: waiting for ${order.owners.join(', ')} to approve.`);
      setReason('');
      onPlaced(order, text);
    } catch (err) {
      setError(`Could not place the order: ${describeVaultError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="vault-form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-order-form">
      <h3 id={`${id}-title`}>Request decryption</h3>
      <CiphertextInput client={client} value={ciphertext} onChange={setCiphertext} onInfo={onInfo} disabled={busy} testId="vault-order-ciphertext" />
      <div className="vault-form-row">
        <label className="vault-grow">
          <span>Reason (the owners see it)</span>
          <input type="text" value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} size={40} disabled={busy} />
        </label>
        <DurationInput label="Approvals may come within" value={duration} onChange={setDuration} disabled={busy} />
        <label>
          <span>Uses</span>
          <input type="number" inputMode="numeric" min={1} max={maxUses} value={uses} onChange={(event) => setUses(event.target.value)} size={5} disabled={busy} />
        </label>
      </div>
      <div className="vault-form-row">
        <CredentialsFields input={me} who="Requester" disabled={busy} />
        <button type="submit" disabled={busy}>
          {busy ? 'Placing…' : 'Place order'}
        </button>
      </div>
      <FormStatus result={result} error={error} testId="vault-order-request" />
    </form>
  );
}
