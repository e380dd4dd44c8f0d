// Encrypts text or a file so that only the chosen owners, together, can decrypt it. The result
// is a ciphertext to copy or download, and what the vault recorded about it.
import { useState, type FormEvent, type Ref } from 'react';
import type { ResponseOf } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { formatBytes, toBase64 } from '../../components/bytes.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { Panel } from '../../components/panel.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { AccessPicker, accessOf, emptyAccess, type AccessDraft } from './access-picker.tsx';
import { CiphertextBox } from './ciphertext-box.tsx';
import { CiphertextInfoView } from './ciphertext-info.tsx';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { DataSource, dataBytes, type DataChoice } from './data-source.tsx';
import { LabelsInput } from './labels-input.tsx';
import { describeVaultError, fitsOneMessage } from './vault-contract.ts';

type Usage = 'decrypt' | 'ssh-sign-with';
type Encrypted = ResponseOf<'vault.encrypt'>;

interface Props {
  client: ApiClient;
  names: readonly string[];
  onEncrypted(result: Encrypted): void;
  onRequest(ciphertext: string): void;
  headingRef: Ref<HTMLHeadingElement>;
}

export function EncryptPanel({ client, names, onEncrypted, onRequest, headingRef }: Props) {
  const [data, setData] = useState<DataChoice>({ kind: 'text', text: '' });
  const [access, setAccess] = useState<AccessDraft>(emptyAccess);
  const [labels, setLabels] = useState<string[]>([]);
  const [usages, setUsages] = useState<Usage[]>(['decrypt']);
  const me = useCredentials();
  const [phase, setPhase] = useState<{ step: 'encoding'; fraction: number } | { step: 'encrypting' } | null>(null);
  const [result, setResult] = useState<Encrypted | null>(null);
  const call = useFormCall(describeVaultError);
  const can = useCan('vault.encrypt');

  const toggleUsage = (usage: Usage, on: boolean) => setUsages((current) => (on ? [...new Set([...current, usage])] : current.filter((u) => u !== usage)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = me.take();
    const bytes = dataBytes(data);
    const structure = accessOf(access);
    if ('error' in bytes) return call.fail(bytes.error);
    if ('error' in structure) return call.fail(structure.error);
    if (usages.length === 0) return call.fail('Usages: choose at least one.');
    if (isError(credentials)) return call.fail(credentials.error);
    setResult(null);
    await call.run('Could not encrypt', async () => {
      setPhase({ step: 'encoding', fraction: 0 });
      const base64 = await toBase64(bytes, (fraction) => setPhase({ step: 'encoding', fraction }));
      if (!fitsOneMessage(client, base64.length)) {
        throw new Error(
          `${formatBytes(bytes.length)} is more than this browser connection carries in one message (1 MiB with its base64 encoding, about 700 KiB of data); encrypt it in the desktop app, or ask for serve's limit to be raised`,
        );
      }
      setPhase({ step: 'encrypting' });
      const encrypted = await client.call('vault.encrypt', { credentials, data: base64, access: structure, labels, usages });
      setResult(encrypted);
      // The form forgets the plaintext once it is encrypted: it is not left on the screen.
      bytes.fill(0);
      setData({ kind: 'text', text: '' });
      onEncrypted(encrypted);
    });
    setPhase(null);
  };

  const busy = phase !== null;
  return (
    <Panel headingId="vault-encrypt-heading" title="Encrypt" headingRef={headingRef}>
      <form className="form" onSubmit={(event) => void submit(event)} data-testid="vault-encrypt-form" aria-labelledby="vault-encrypt-heading">
        <DataSource value={data} onChange={setData} disabled={busy} />
        <AccessPicker names={names} value={access} onChange={setAccess} disabled={busy} />
        <div className="form-row">
          <LabelsInput labels={labels} onChange={setLabels} disabled={busy} />
          <fieldset className="vault-picker" disabled={busy}>
            <legend>Usages</legend>
            <label className="check">
              <input type="checkbox" checked={usages.includes('decrypt')} onChange={(event) => toggleUsage('decrypt', event.target.checked)} />
              decrypt
            </label>
            <label className="check">
              <input type="checkbox" checked={usages.includes('ssh-sign-with')} onChange={(event) => toggleUsage('ssh-sign-with', event.target.checked)} />
              ssh-sign-with
            </label>
          </fieldset>
        </div>
        <div className="form-row">
          <CredentialsFields input={me} who="Your" disabled={busy} />
          <button type="submit" disabled={busy || !can.allowed} title={can.reason} data-testid="vault-encrypt-submit">
            {phase?.step === 'encoding' ? 'Preparing…' : phase?.step === 'encrypting' ? 'Encrypting…' : 'Encrypt'}
          </button>
          {phase?.step === 'encoding' && <progress value={phase.fraction} max={1} aria-label="Preparing the data" />}
        </div>
        <FormStatus result={null} error={call.error} testId="vault-encrypt" />
      </form>
      {result && (
        <div className="vault-result" data-testid="vault-encrypted">
          <CiphertextBox ciphertext={result.ciphertext} fileName={`vault-${result.info.hash.slice(0, 12)}.txt`} onUse={() => onRequest(result.ciphertext)} />
          <CiphertextInfoView info={result.info} />
        </div>
      )}
    </Panel>
  );
}
