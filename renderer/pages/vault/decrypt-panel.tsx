// Decrypts a ciphertext with the delegations its owners gave (directly, or by approving an order).
import { useEffect, useRef, useState, type FormEvent, type Ref } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { asText, fromBase64 } from '../../components/bytes.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { Panel } from '../../components/panel.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CiphertextInput } from './ciphertext-input.tsx';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import type { DecryptRequest } from './orders-panel.tsx';
import { PlaintextView, type Plaintext } from './plaintext-view.tsx';
import { describeVaultError, isOrderId } from './vault-contract.ts';

interface Props {
  client: ApiClient;
  /** An order to decrypt, handed over by the Orders panel's Decrypt button. */
  request: (DecryptRequest & { at: number }) | null;
  lookup(hash: string): string | undefined;
  remember(hash: string, ciphertext: string): void;
  headingRef: Ref<HTMLHeadingElement>;
}

export function DecryptPanel({ client, request, lookup, remember, headingRef }: Props) {
  const [ciphertext, setCiphertext] = useState('');
  const [orderId, setOrderId] = useState('');
  const me = useCredentials();
  const [plaintext, setPlaintext] = useState<Plaintext | null>(null);
  const call = useFormCall(describeVaultError);
  const can = useCan('vault.decrypt');
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
    call.say(
      known ? null : `This page has not seen the ciphertext of order ${request.orderId}: paste it (its hash starts ${request.ciphertextHash.slice(0, 12)}).`,
    );
    form.current?.scrollIntoView({ block: 'nearest' });
    form.current?.querySelector<HTMLElement>(known ? 'input[type=password]' : 'textarea')?.focus();
    // A new request only; the lookup changes with every ciphertext the page learns.
  }, [request]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const text = ciphertext.trim();
    const order = orderId.trim();
    if (!text) return call.fail('Paste the ciphertext to decrypt.');
    if (order && !isOrderId(order)) return call.fail('Order id: 24 hexadecimal characters, or leave it empty.');
    if (isError(credentials)) return call.fail(credentials.error);
    clear();
    await call.run('Could not decrypt', async () => {
      const result = await client.call('vault.decrypt', { credentials, ciphertext: text, ...(order ? { orderId: order } : {}) });
      const bytes = fromBase64(result.data);
      setPlaintext({ bytes, text: asText(bytes), delegates: result.delegates, hash: result.info.hash });
      remember(result.info.hash, text);
      setOrderId('');
    });
  };

  return (
    <Panel headingId="vault-decrypt-heading" title="Decrypt" headingRef={headingRef} data-testid="vault-decrypt">
      <form ref={form} className="form" onSubmit={(event) => void submit(event)} aria-labelledby="vault-decrypt-heading" data-testid="vault-decrypt-form">
        <CiphertextInput
          client={client}
          value={ciphertext}
          onChange={setCiphertext}
          onInfo={(info, text) => remember(info.hash, text)}
          disabled={call.busy}
          testId="vault-decrypt-ciphertext"
        />
        <div className="form-row">
          <CredentialsFields input={me} who="Your" disabled={call.busy} />
          <label>
            <span>Order id (optional)</span>
            <input
              type="text"
              value={orderId}
              onChange={(event) => setOrderId(event.target.value)}
              spellCheck={false}
              autoComplete="off"
              size={26}
              disabled={call.busy}
              data-testid="vault-decrypt-order"
            />
          </label>
          <button type="submit" disabled={call.busy || !can.allowed} title={can.reason} data-testid="vault-decrypt-submit">
            {call.busy ? 'Decrypting…' : 'Decrypt'}
          </button>
        </div>
        <FormStatus result={call.result} error={call.error} testId="vault-decrypt" />
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
    </Panel>
  );
}
