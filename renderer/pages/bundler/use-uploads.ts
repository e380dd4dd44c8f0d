// What the operator gave the bundler: files (dropped or chosen), text pasted into the page, and a
// password per file that needs one. Sizes are checked before anything is read or sent, so an
// oversized file is refused here with its size, not by the engine after the upload.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { asText, formatBytes, readFileBytes, toBase64 } from '../../components/bytes.ts';
import { looksPasswordProtected, maxFileBytes, maxFiles, maxTotalBytes, type BundleRequest } from './bundler-contract.ts';

export interface Upload {
  id: number;
  name: string;
  size: number;
  base64: string;
  /** A PKCS#12 file or an encrypted PEM key: its password field shows before the engine asks. */
  looksProtected: boolean;
  password: string;
}

/** The name the contract gives text pasted into the page. */
export const pastedName = 'pasted';

export interface Uploads {
  files: readonly Upload[];
  /** Names of the files being read now. */
  reading: readonly string[];
  pasted: string;
  pastedPassword: string;
  /** What the page refused before sending (too large, too many, unreadable), one line each. */
  refused: readonly string[];
  /** The `files` of a bundle request, or null when there is nothing to send. */
  request: BundleRequest['files'] | null;
  add(files: readonly File[]): void;
  remove(id: number): void;
  setPassword(id: number, password: string): void;
  setPasted(text: string): void;
  setPastedPassword(password: string): void;
}

/** `initial`: the files and pasted text the page had when the operator left it (kept-page.ts). */
export function useUploads(initial: { files: readonly Upload[]; pasted: string } | null = null): Uploads {
  const [files, setFiles] = useState<Upload[]>(() => [...(initial?.files ?? [])]);
  const [reading, setReading] = useState<string[]>([]);
  const [pasted, setPasted] = useState(initial?.pasted ?? '');
  const [pastedPassword, setPastedPassword] = useState('');
  const [refused, setRefused] = useState<string[]>([]);
  const nextId = useRef(Math.max(0, ...(initial?.files ?? []).map((file) => file.id)) + 1);
  // The files as of the last change, so two drops in quick succession both count against the caps.
  const current = useRef(files);
  current.current = files;
  const readingCount = useRef(0);
  const pastedRef = useRef(pasted);
  pastedRef.current = pasted;

  const add = useCallback((dropped: readonly File[]) => {
    void (async () => {
      const notes: string[] = [];
      // The pasted text is one upload too.
      let room = maxFiles - current.current.length - readingCount.current - (pastedRef.current.trim() ? 1 : 0);
      let total = current.current.reduce((sum, file) => sum + file.size, 0);
      const accepted: File[] = [];
      for (const file of dropped) {
        if (file.size > maxFileBytes) {
          notes.push(
            `${file.name} has ${formatBytes(file.size)}; the bundler reads at most ${formatBytes(maxFileBytes)} a file. Split the bundle, or drop only the certificates it needs.`,
          );
        } else if (room <= 0) {
          notes.push(`${file.name} was not added: the bundler takes at most ${maxFiles} files at once. Remove some first.`);
        } else if (total + file.size > maxTotalBytes) {
          notes.push(`${file.name} was not added: together the files would pass ${formatBytes(maxTotalBytes)}. Remove some first.`);
        } else {
          accepted.push(file);
          room--;
          total += file.size;
        }
      }
      setRefused(notes);
      if (accepted.length === 0) return;
      readingCount.current += accepted.length;
      setReading((names) => [...names, ...accepted.map((file) => file.name)]);
      const read = await Promise.all(
        accepted.map(async (file): Promise<Upload | string> => {
          try {
            const bytes = await readFileBytes(file, () => {});
            return {
              id: nextId.current++,
              name: file.name,
              size: bytes.length,
              base64: await toBase64(bytes),
              looksProtected: looksPasswordProtected(file.name, asText(bytes)),
              password: '',
            };
          } catch (err) {
            return `${err instanceof Error ? err.message : String(err)}. Choose the file again.`;
          }
        }),
      );
      readingCount.current -= accepted.length;
      setReading((names) => names.filter((name) => !accepted.some((file) => file.name === name)));
      const fresh = read.filter((entry): entry is Upload => typeof entry !== 'string');
      const failed = read.filter((entry): entry is string => typeof entry === 'string');
      const kept = fresh.filter((upload) => !current.current.some((old) => old.name === upload.name && old.base64 === upload.base64));
      const repeated = fresh.filter((upload) => !kept.includes(upload)).map((upload) => `${upload.name} is already here; it was added once.`);
      if (failed.length || repeated.length) setRefused((old) => [...old, ...failed, ...repeated]);
      if (kept.length) setFiles((old) => [...old, ...kept]);
    })();
  }, []);

  const remove = useCallback((id: number) => {
    setFiles((old) => old.filter((file) => file.id !== id));
    setRefused([]);
  }, []);
  const setPassword = useCallback((id: number, password: string) => {
    setFiles((old) => old.map((file) => (file.id === id ? { ...file, password } : file)));
  }, []);

  // The pasted text's base64, kept beside it; null while empty or too large.
  const pastedBytes = useMemo(() => new TextEncoder().encode(pasted.trim()), [pasted]);
  const pastedTooLarge = pastedBytes.length > maxFileBytes;
  const [pastedBase64, setPastedBase64] = useState<string | null>(null);
  useEffect(() => {
    if (pastedBytes.length === 0 || pastedTooLarge) return setPastedBase64(null);
    let active = true;
    void toBase64(pastedBytes).then((base64) => active && setPastedBase64(base64));
    return () => {
      active = false;
    };
  }, [pastedBytes, pastedTooLarge]);
  const pastedNoRoom = pastedBase64 !== null && files.length >= maxFiles;

  const request = useMemo(() => {
    const out: NonNullable<Uploads['request']> = files.map((file) => ({
      name: file.name,
      base64: file.base64,
      ...(file.password ? { password: file.password } : {}),
    }));
    if (pastedBase64 !== null && !pastedNoRoom) out.push({ name: pastedName, base64: pastedBase64, ...(pastedPassword ? { password: pastedPassword } : {}) });
    return out.length > 0 ? out : null;
  }, [files, pastedBase64, pastedNoRoom, pastedPassword]);

  return {
    files,
    reading,
    pasted,
    pastedPassword,
    refused: [
      ...refused,
      ...(pastedTooLarge
        ? [`The pasted text has more than ${formatBytes(maxFileBytes)}; the bundler reads at most that much. Paste fewer certificates, or drop the file.`]
        : []),
      ...(pastedNoRoom ? [`The pasted text is not sent: with ${maxFiles} files there is no room for it. Remove a file first.`] : []),
    ],
    request,
    add,
    remove,
    setPassword,
    setPasted,
    setPastedPassword,
  };
}
