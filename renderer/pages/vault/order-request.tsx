// A requester asks the owners of a ciphertext to approve its decryption: for a reason, within a
// time, for a number of uses. The owners then approve from their own consoles.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CiphertextInput } from './ciphertext-input.tsx';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { DurationInput, UsesInput, durationDraft, limitsOf } from './limits-input.tsx';
import { describeVaultError, type CiphertextInfo, type VaultOrder } from './vault-contract.ts';

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
  const call = useFormCall(describeVaultError);

  useEffect(() => {
    if (preset) setCiphertext(preset.ciphertext);
  }, [preset]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const limits = limitsOf(duration, uses);
    const text = ciphertext.trim();
    if (!text) return call.fail('Paste the ciphertext to decrypt.');
    if (!reason.trim()) return call.fail('Reason: say why you need it; the owners read it before they approve.');
    if (isError(limits)) return call.fail(limits.error);
    if (isError(credentials)) return call.fail(credentials.error);
    await call.run('Could not place the order', async () => {
      const { order } = await client.call('vault.order', { credentials, ciphertext: text, reason: reason.trim(), ...limits });
      setReason('');
      onPlaced(order, text);
      return `Order ${order.id} placed: waiting for ${order.owners.join(', ')} to approve.`;
    });
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-order-form">
      <h3 id={`${id}-title`}>Request decryption</h3>
      <CiphertextInput client={client} value={ciphertext} onChange={setCiphertext} onInfo={onInfo} disabled={call.busy} testId="vault-order-ciphertext" />
      <div className="form-row">
        <label className="vault-grow">
          <span>Reason (the owners see it)</span>
          <input type="text" value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} size={40} disabled={call.busy} />
        </label>
        <DurationInput label="Approvals may come within" value={duration} onChange={setDuration} disabled={call.busy} />
        <UsesInput value={uses} onChange={setUses} disabled={call.busy} />
      </div>
      <div className="form-row">
        <CredentialsFields input={me} who="Requester" disabled={call.busy} />
        <button type="submit" disabled={call.busy}>
          {call.busy ? 'Placing…' : 'Place order'}
        </button>
      </div>
      <FormStatus result={call.result} error={call.error} testId="vault-order-request" />
    </form>
  );
}
