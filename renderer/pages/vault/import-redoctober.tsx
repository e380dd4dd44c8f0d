// An admin brings over the accounts of a Red October vault file (its -vaultpath JSON). Each one
// keeps its keys and moves to this vault's password hashing at its first login.
import { useId, useState, type FormEvent } from 'react';
import type { ResponseOf } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { formatBytes } from '../../components/bytes.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { describeVaultError } from './vault-contract.ts';

const maxFileBytes = 16 * 1024 * 1024;

export function ImportRedOctober({ client, onImported }: { client: ApiClient; onImported(): void }) {
  const id = useId();
  const admin = useCredentials();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [outcome, setOutcome] = useState<ResponseOf<'vault.importRedOctober'> | null>(null);
  const call = useFormCall(describeVaultError);

  const choose = async (chosen: File | undefined) => {
    setFile(null);
    setOutcome(null);
    call.say(null);
    if (!chosen) return;
    if (chosen.size > maxFileBytes) return call.fail(`${chosen.name} has ${formatBytes(chosen.size)}; a vault file of at most 16 MiB is accepted.`);
    try {
      setFile({ name: chosen.name, text: await chosen.text() });
    } catch (err) {
      call.fail(`Cannot read ${chosen.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = admin.take();
    if (!file) return call.fail('Choose the Red October vault file first.');
    if (isError(credentials)) return call.fail(credentials.error);
    setOutcome(null);
    await call.run(`Could not import ${file.name}`, async () => {
      setOutcome(await client.call('vault.importRedOctober', { admin: credentials, vaultFile: file.text }));
      onImported();
    });
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-import-form">
      <h3 id={`${id}-title`} className="visually-hidden">
        Import a Red October vault file
      </h3>
      <div className="form-row">
        <label>
          <span>Red October vault file (JSON)</span>
          <input type="file" accept=".json,application/json" onChange={(event) => void choose(event.target.files?.[0])} disabled={call.busy} />
        </label>
        <CredentialsFields input={admin} who="Admin" disabled={call.busy} />
        <button type="submit" disabled={call.busy || !file}>
          {call.busy ? 'Importing…' : 'Import accounts'}
        </button>
      </div>
      {call.busy && <p className="muted">Checking each record takes a moment…</p>}
      {outcome && (
        <div role="status" data-testid="vault-import-result">
          <p>
            Imported {outcome.imported.length} {outcome.imported.length === 1 ? 'account' : 'accounts'}
            {outcome.imported.length > 0 && `: ${outcome.imported.join(', ')}`}.
          </p>
          {outcome.skipped.length > 0 && (
            <>
              <p>Skipped {outcome.skipped.length}:</p>
              <ul className="vault-list">
                {outcome.skipped.map((skip) => (
                  <li key={skip.name}>
                    <strong>{skip.name}</strong>: {skip.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <FormStatus result={null} error={call.error} />
    </form>
  );
}
