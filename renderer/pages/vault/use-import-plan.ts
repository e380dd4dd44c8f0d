// What importing the chosen Red October vault files would do, asked of the vault again whenever
// the files or the new names change (a moment after the last keystroke); answers to an older
// question are dropped. Asking changes nothing in the vault.
import { useEffect, useRef, useState } from 'react';
import type { ResponseOf } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { describeVaultError } from './vault-contract.ts';

export type ImportPlan = ResponseOf<'vault.planRedOctoberImport'>;

export interface ChosenFile {
  name: string;
  text: string;
  /** Red October name -> the new name typed for it (possibly not a valid name yet). */
  renames: Record<string, string>;
}

const settleMs = 300;

/** `files` is the page's state: a new array whenever a file or a new name changes, which is when to ask again. */
export function useImportPlan(
  client: ApiClient,
  files: readonly ChosenFile[],
  validName: (name: string) => boolean,
): { plan: ImportPlan | null; error: string | null; checking: boolean } {
  const [answer, setAnswer] = useState<{ plan: ImportPlan | null; error: string | null }>({ plan: null, error: null });
  const [checking, setChecking] = useState(false);
  const asked = useRef(0);
  useEffect(() => {
    const seq = ++asked.current;
    if (files.length === 0) {
      setAnswer({ plan: null, error: null });
      setChecking(false);
      return;
    }
    setChecking(true);
    const timer = setTimeout(() => {
      client
        .call('vault.planRedOctoberImport', { vaultFiles: importFiles(files, validName) })
        .then(
          (plan) => seq === asked.current && setAnswer({ plan, error: null }),
          (err: unknown) => seq === asked.current && setAnswer({ plan: null, error: describeVaultError(err) }),
        )
        .finally(() => seq === asked.current && setChecking(false));
    }, settleMs);
    return () => clearTimeout(timer);
  }, [client, files, validName]);
  return { ...answer, checking };
}

/** The files as the vault takes them: only the new names that are names (the page marks the others). */
export function importFiles(files: readonly ChosenFile[], validName: (name: string) => boolean) {
  return files.map((file) => ({ text: file.text, renames: Object.fromEntries(Object.entries(file.renames).filter(([, to]) => validName(to))) }));
}
