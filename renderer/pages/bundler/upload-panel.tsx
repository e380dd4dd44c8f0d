// Where certificates come in: a drop zone that also opens the file chooser, a box for pasted PEM
// text, the files as chips (with a password field where one is needed), and next to them what
// could not be used: the page's own refusals (size, count) and the engine's coded problems. A file
// nothing could be used from shows it on its chip too (its code), so a garbage file does not look read.
import { useRef } from 'react';
import { useCan } from '../../api/identity.ts';
import { Badge } from '../../components/badge.tsx';
import { formatBytes } from '../../components/bytes.ts';
import { DropZone } from '../../components/drop-zone.tsx';
import { Panel } from '../../components/panel.tsx';
import { codes } from '../../../engine/api/error-codes.ts';
import { RoleNote } from '../../components/role-note.tsx';
import {
  acceptedExtensions,
  looksPasswordProtected,
  maxFileBytes,
  maxFiles,
  passwordProblems,
  type BundleProblem,
  type BundleResult,
} from './bundler-contract.ts';
import { pastedName, type Uploads } from './use-uploads.ts';

interface Props {
  uploads: Uploads;
  problems: readonly BundleProblem[];
  /** The certificates the last answer read (their `source` is `name#n`). */
  uploaded: BundleResult['uploaded'];
  /** Why the last bundle call failed as a whole, already worded; null when it did not. */
  callError: string | null;
  /** The message of a call refused for a password, which names the file; null otherwise. */
  passwordRefusal: string | null;
}

export function UploadPanel({ uploads, problems, uploaded, callError, passwordRefusal }: Props) {
  const chooser = useRef<HTMLInputElement>(null);
  const chooseButton = useRef<HTMLButtonElement>(null);
  // Every file or paste taken here is bundled at once (bundler.bundle), so the role gates taking them.
  const can = useCan('bundler.bundle');
  /** Whether the engine asked for this upload's password; a problem's source is `name` or `name#n`. */
  const asksPassword = (name: string) =>
    problems.some((problem) => passwordProblems.has(problem.name) && problem.source.replace(/#\d+$/, '') === name) ||
    (passwordRefusal?.includes(`${name}:`) ?? false);
  const fromFile = (name: string, source: string) => source === name || source.startsWith(`${name}#`);
  /** What makes a file unusable: its first problem when no certificate came from it, or the call's refusal naming it. */
  const failure = (name: string): { code: string; text: string } | null => {
    const problem = problems.find((p) => fromFile(name, p.source));
    if (problem && !uploaded.some((cert) => fromFile(name, cert.source))) return { code: String(problem.code), text: problem.message };
    if (callError?.includes(`${name}:`)) return { code: 'not read', text: callError };
    return null;
  };
  const pastedNeedsPassword = uploads.pasted.trim() !== '' && (looksPasswordProtected(pastedName, uploads.pasted) || asksPassword(pastedName));

  return (
    <Panel headingId="bundler-input-heading" title="Certificates and keys" className="bundler-input">
      <DropZone onFiles={uploads.add} disabled={!can.allowed} testId="bundler-drop" className="bundler-drop">
        <RoleNote can={can} testId="bundler-forbidden" />
        <p id="bundler-drop-help">
          Drop the certificate here with its intermediates and, if you like, its private key, in any order: PEM, CRT, CER, DER, P7B, P12/PFX or KEY files,{' '}
          {formatBytes(maxFileBytes)} a file, {maxFiles} files at most.
        </p>
        <div className="form-row">
          <button
            type="button"
            ref={chooseButton}
            onClick={() => chooser.current?.click()}
            aria-describedby="bundler-drop-help"
            disabled={!can.allowed}
            title={can.reason}
            data-testid="bundler-choose"
          >
            Choose files…
          </button>
          <input
            ref={chooser}
            type="file"
            multiple
            hidden
            disabled={!can.allowed}
            accept={acceptedExtensions.join(',')}
            aria-label="Certificate and key files"
            data-testid="bundler-file-input"
            onChange={(event) => {
              uploads.add([...(event.target.files ?? [])]);
              // The same file chosen again after removing it still fires a change.
              event.target.value = '';
            }}
          />
          {uploads.reading.length > 0 && (
            <span className="muted" role="status">
              Reading {uploads.reading.join(', ')}…
            </span>
          )}
        </div>
        <label>
          <span>Or paste PEM text (certificates and keys; sent as a file named “{pastedName}”)</span>
          <textarea
            rows={4}
            value={uploads.pasted}
            disabled={!can.allowed}
            title={can.reason}
            onChange={(event) => uploads.setPasted(event.target.value)}
            onPaste={(event) => {
              // Files copied in a file manager arrive as files, not text.
              const files = [...event.clipboardData.files];
              if (files.length > 0) {
                event.preventDefault();
                uploads.add(files);
              }
            }}
            placeholder="-----BEGIN CERTIFICATE-----"
            spellCheck={false}
            autoComplete="off"
            data-testid="bundler-paste"
          />
        </label>
        {pastedNeedsPassword && (
          <label className="bundler-password">
            <span>Password for the pasted key</span>
            <input type="password" value={uploads.pastedPassword} onChange={(event) => uploads.setPastedPassword(event.target.value)} autoComplete="off" />
          </label>
        )}
      </DropZone>
      {uploads.files.length > 0 && (
        <ul className="bundler-files" aria-label="Files to bundle">
          {uploads.files.map((file) => {
            const failed = failure(file.name);
            return (
              <li
                key={file.id}
                className="bundler-file"
                data-testid="bundler-file"
                data-name={file.name}
                data-state={failed ? 'error' : 'ok'}
                title={failed?.text}
              >
                <span className="bundler-file-name">{file.name}</span>
                <span className="unit">{formatBytes(file.size)}</span>
                {failed && <Badge tone="bad">{failed.code}</Badge>}
                {(file.looksProtected || asksPassword(file.name)) && (
                  <label className="bundler-password">
                    <span>Password for {file.name}</span>
                    <input type="password" value={file.password} onChange={(event) => uploads.setPassword(file.id, event.target.value)} autoComplete="off" />
                  </label>
                )}
                <button
                  type="button"
                  className="bundler-file-remove"
                  aria-label={`Remove ${file.name}`}
                  onClick={() => {
                    uploads.remove(file.id);
                    chooseButton.current?.focus();
                  }}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {uploads.refused.map((line) => (
        <p key={line} className="error" role="alert" data-testid="bundler-refused">
          {line}
        </p>
      ))}
      {callError && (
        <p className="notice error" role="alert" data-testid="bundler-error">
          {callError}
        </p>
      )}
      {problems.length > 0 && (
        <ul className="bundler-problems" aria-label="What could not be used">
          {problems.map((problem, index) => (
            <li key={`${problem.source}-${problem.code}-${index}`} data-testid="bundler-problem" data-code={problem.code} data-name={problem.name}>
              <Badge tone={problem.name === codes.E_KEY_MISMATCH ? 'bad' : 'warn'}>{problem.code}</Badge> <code>{problem.name}</code>{' '}
              {/* Most messages start with the file they are about already. */}
              {problem.message.startsWith(problem.source) ? (
                problem.message
              ) : (
                <>
                  <span className="bundler-source">{problem.source}</span>: {problem.message}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
