// Decrypts a ciphertext with the delegations its owners gave (directly, or by approving an order).
import { useEffect, useId, useRef, useState, type FormEvent, type Ref } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { asText, fromBase64 } from '../../components/bytes.ts';
import { CiphertextInput } from './ciphertext-input.tsx';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { FormStatus } from './form-status.tsx';
import type { DecryptRequest } from './orders-panel.tsx';
import { PlaintextView, type Plaintext } from './plaintext-view.tsx';
import { describeVaultError, orderIdPattern } from './vault-contract.ts';

interface Props {
  client: ApiClient;
  /** An order to decrypt, handed over by the Orders panel's Decrypt button. */
  request: (DecryptRequest & { at: number }) | null;
  lookup(hash: string): string | undefined;
  remember(hash: string, ciphertext: string): void;
  headingRef: Ref<HTMLHeadingElement>;
}

export function DecryptPanel({ client, request, lookup, remember, headingRef }: Props) {
  const id = useId();
  const [ciphertext, setCiphertext] = useState('');
  const [orderId, setOrderId] = useState('');
  const me = useCredentials();
  const [busy, setBusy] = useState(false);
  const [plaintext, setPlaintext] = useState<Plaintext | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const { setName } = me;

  // Whatever way the plaintext goes (Clear, a new decryption, leaving the page), its bytes are
  // overwritten; the decoded text is a JS string, which only the garbage collector can drop.
  const held = useRef<Plaintext | null>(null);
  held.current = plaintext;
  const clear = () => {
    held.current?.bytes.fill(0);
    setPlaintext(null);
  };
  useEffect(
    () => () => {
      held.current?.bytes.fill(0);
    },
    [],
  );

  useEffect(() => {
    if (!request) return;
    const known = lookup(request.ciphertextHash);
    setOrderId(request.orderId);
    setName(request.requester);
    setCiphertext(known ?? '');
    setError(null);
    setNote(known ? null : `This page has not seen the ciphertext of order ${request.orderId}: paste it (its hash starts ${request.ciphertextHash.slice(0, 12)}).`);
    form.current?.scrollIntoView({ block: 'nearest' });
    form.current?.querySelector<HTMLElement>(known ? 'input[type=password]' : 'textarea')?.focus();
    // A new request only; the lookup changes with every ciphertext the page learns.
  }, [request]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const text = ciphertext.trim();
    const order = orderId.trim();
    if (!text) return setError('Paste the ciphertext to decrypt.');
    if (order && !orderIdPattern.test(order)) return setError('Order id: 24 hexadecimal characters, or leave it empty.');
    if (isError(credentials)) return setError(credentials.error);
    setBusy(true);
    setError(null);
    setNote(null);
    clear();
    try {
      const result = await client.call('vault.decrypt', { credentials, ciphertext: text, ...(order ? { orderId: order } : {}) });
      const bytes = fromBase64(result.data);
      setPlaintext({ bytes, text: asText(bytes), delegates: result.delegates, hash: result.info.hash });
      remember(result.info.hash, text);
      setOrderId('');
    } catch (err) {
      setError(`Could not decrypt: ${describeVaultError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="vault-decrypt-heading" className="vault-panel" data-testid="vault-decrypt">
      <h2 id="vault-decrypt-heading" ref={headingRef} tabIndex={-1}>
        Decrypt
      </h2>
      <form ref={form} className="vault-form" onSubmit={(event) => void submit(event)} aria-labelledby="vault-decrypt-heading" data-testid="vault-decrypt-form">
        <CiphertextInput client={client} value={ciphertext} onChange={setCiphertext} onInfo={(info, text) => remember(info.hash, text)} disabled={busy} testId="vault-decrypt-ciphertext" />
        <div className="vault-form-row">
          <CredentialsFields input={me} who="Your" disabled={busy} />
          <label>
            <span>Order id (optional)</span>
            <input type="text" value={orderId} onChange={(event) => setOrderId(event.target.value)} spellCheck={false} autoComplete="off" size={26} disabled={busy} data-testid="vault-decrypt-order" />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? 'Decrypting…' : 'Decrypt'}
          </button>
        </div>
        <FormStatus result={note} error={error} testId="vault-decrypt" />
      </form>
      {plaintext && (
        <PlaintextView
          plaintext={plaintext}
          onClear={() => {
            clear();
            // The Clear button goes with the plaintext: the keyboard goes back to the form.
            form.current?.querySelector<HTMLElement>('textarea')?.focus();
          }}
        />
      )}
    </section>
  );
}
