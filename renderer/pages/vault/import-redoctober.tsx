// An admin brings over the accounts of Red October vault files (their -vaultpath JSON), one or
// several Red October vaults at once. Before anything is imported the page shows each account and
// what happens to it; a name taken by another key pair gets a new name typed beside it, and the
// import goes ahead only when no clash is left — then all of it, or (on any error) none of it.
// Each account keeps its keys and moves to this vault's password hashing at its first login.
import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { formatBytes } from '../../components/bytes.ts';
import { DropZone } from '../../components/drop-zone.tsx';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { ImportPlanView } from './import-plan.tsx';
import { importFiles, useImportPlan, type ChosenFile, type ImportPlan } from './use-import-plan.ts';
import { vaultUserName } from '../../../engine/api/index.ts';
import { describeVaultError } from './vault-contract.ts';

// The vault takes at most 4 files of 8 MiB at once (engine/api/vault.ts redOctoberImportFiles).
const maxFileBytes = 8 * 1024 * 1024;
const maxFiles = 4;
const validName = (name: string) => vaultUserName.safeParse(name).success;

export function ImportRedOctober({ client, onImported }: { client: ApiClient; onImported(): void }) {
  const id = useId();
  const admin = useCredentials();
  const [files, setFiles] = useState<ChosenFile[]>([]);
  const [outcome, setOutcome] = useState<ImportPlan | null>(null);
  const call = useFormCall(describeVaultError);
  const planned = useImportPlan(client, files, validName);

  const add = async (chosen: File[]) => {
    setOutcome(null);
    call.say(null);
    const room = maxFiles - files.length;
    if (chosen.length > room) return call.fail(`At most ${maxFiles} files are imported at once; remove one first.`);
    const read: ChosenFile[] = [];
    for (const file of chosen) {
      if (file.size > maxFileBytes) return call.fail(`${file.name} has ${formatBytes(file.size)}; a vault file of at most 8 MiB is accepted.`);
      try {
        read.push({ name: file.name, text: await file.text(), renames: {} });
      } catch (err) {
        return call.fail(`Cannot read ${file.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    setFiles((current) => [...current, ...read]);
  };

  const rename = (fileIndex: number, from: string, to: string) =>
    setFiles((current) => current.map((file, index) => (index === fileIndex ? { ...file, renames: { ...file.renames, [from]: to.trim() } } : file)));

  const plan = planned.plan;
  const clashes = plan ? plan.files.flatMap((file) => file.accounts.filter((account) => account.outcome === 'clash')).length : 0;
  const ready = files.length > 0 && plan !== null && !planned.checking && clashes === 0 && plan.problems.length === 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = admin.take();
    if (!ready) return call.fail(files.length === 0 ? 'Choose the Red October vault files first.' : 'Give every account whose name is taken a new name first.');
    if (isError(credentials)) return call.fail(credentials.error);
    setOutcome(null);
    await call.run('Nothing was imported', async () => {
      setOutcome(await client.call('vault.importRedOctober', { admin: credentials, vaultFiles: importFiles(files, validName) }));
      setFiles([]);
      onImported();
    });
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="vault-import-form">
      <h3 id={`${id}-title`} className="visually-hidden">
        Import Red October vault files
      </h3>
      <DropZone onFiles={(chosen) => void add(chosen)} disabled={call.busy}>
        <label>
          <span>Red October vault files (JSON; choose, or drop them here; several vaults at once)</span>
          <input
            type="file"
            multiple
            accept=".json,application/json"
            onChange={(event) => {
              void add([...(event.target.files ?? [])]);
              event.target.value = '';
            }}
            disabled={call.busy}
          />
        </label>
      </DropZone>
      {files.length > 0 && (
        <p>
          {files.length} {files.length === 1 ? 'file' : 'files'} chosen{' '}
          <button type="button" className="link-button" onClick={() => setFiles([])} disabled={call.busy}>
            Remove all files
          </button>
        </p>
      )}
      {planned.checking && <p className="muted">Checking the accounts…</p>}
      {planned.error && (
        <p className="error" role="alert">
          {planned.error}
        </p>
      )}
      {plan && files.length > 0 && (
        <ImportPlanView
          files={files}
          plan={plan}
          validName={validName}
          onRename={rename}
          onRemove={(index) => setFiles((current) => current.filter((_, i) => i !== index))}
          disabled={call.busy}
        />
      )}
      {clashes > 0 && (
        <p className="warn-text" data-testid="vault-import-clashes">
          {clashes === 1 ? 'One account has a name' : `${clashes} accounts have names`} taken by another key pair (here, or in another of these files): give{' '}
          {clashes === 1 ? 'it' : 'each'} a new name to import.
        </p>
      )}
      <div className="form-row">
        <CredentialsFields input={admin} who="Admin" disabled={call.busy} />
        <button type="submit" disabled={call.busy || !ready}>
          {call.busy ? 'Importing…' : 'Import accounts'}
        </button>
      </div>
      {call.busy && <p className="muted">Checking each record takes a moment…</p>}
      {outcome && <ImportOutcome outcome={outcome} />}
      <FormStatus result={null} error={call.error} />
    </form>
  );
}

function ImportOutcome({ outcome }: { outcome: ImportPlan }) {
  return (
    <div role="status" data-testid="vault-import-result">
      {outcome.files.map((file) => {
        const added = file.accounts.filter((account) => account.outcome === 'new');
        const kept = file.accounts.length - added.length;
        return (
          <p key={file.vaultId}>
            Red October vault {file.vaultId}: imported {added.length} {added.length === 1 ? 'account' : 'accounts'}
            {added.length > 0 && `: ${added.map((account) => (account.as === account.name ? account.name : `${account.name} as ${account.as}`)).join(', ')}`}
            {kept > 0 && `; ${kept} there already`}.
          </p>
        );
      })}
    </div>
  );
}
