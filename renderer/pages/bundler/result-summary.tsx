// The answer in one glance: whether the private key fits the leaf (a mismatch is an outage waiting
// to happen, so it is the loudest thing on the page), which upload is the leaf and why (with a
// choice of another), how many chains were found, which one won, at what time and with which
// flavor they were judged.
import { Badge } from '../../components/badge.tsx';
import { formatLocalDateTime } from '../../components/format.ts';
import type { BundleResult } from './bundler-contract.ts';
import { certName } from './bundler-format.ts';

const keyStates = {
  matched: { tone: 'ok', title: 'Private key matches the leaf', text: 'The uploaded private key belongs to this certificate.' },
  'no-key': {
    tone: 'neutral',
    title: 'No private key',
    text: 'No private key was uploaded, so none was checked against the leaf. Drop the key too to check it.',
  },
  mismatch: {
    tone: 'bad',
    title: 'Private key does NOT match the leaf',
    text: 'A server with this key and this certificate fails every handshake. Find the key the certificate was issued for (its public key is in the leaf), or reissue the certificate for this key.',
  },
} as const;

interface Props {
  result: BundleResult;
  busy: boolean;
  /** The uploaded certificate chosen as the leaf (1-based), or null for the engine's rule. */
  chosenLeaf: number | null;
  onChooseLeaf(leaf: number | null): void;
}

export function ResultSummary({ result, busy, chosenLeaf, onChooseLeaf }: Props) {
  const key = keyStates[result.key];
  const chosen = result.chains.find((chain) => chain.rank === 1) ?? null;
  const root = chosen?.certs.at(-1);
  return (
    <section className="bundler-summary" aria-label="Result" data-testid="bundler-summary">
      <div
        className="bundler-key"
        data-testid="bundler-key"
        data-state={result.key}
        data-tone={key.tone}
        role={result.key === 'mismatch' ? 'alert' : undefined}
      >
        <strong>{key.title}</strong>
        <span>{key.text}</span>
      </div>
      <p className="bundler-leaf-choice" data-testid="bundler-leaf-choice">
        Leaf: <strong>{certName(result.leaf)}</strong>{' '}
        <span className="muted">
          ({result.leafChoice.source}: {result.leafChoice.reason})
        </span>{' '}
        {result.uploaded.length > 1 && (
          <label>
            <span>Use as the leaf</span>{' '}
            <select
              value={chosenLeaf ?? ''}
              onChange={(event) => onChooseLeaf(event.target.value === '' ? null : Number(event.target.value))}
              data-testid="bundler-leaf-select"
            >
              <option value="">the engine's choice</option>
              {result.uploaded.map((cert, i) => (
                <option key={cert.fingerprint} value={i + 1}>
                  {i + 1}. {certName(cert)}
                </option>
              ))}
            </select>
          </label>
        )}
      </p>
      <p role="status">
        {result.chains.length === 0 ? (
          <>
            <Badge tone="bad">no valid chain</Badge> {/* The engine's verdict: expired on ..., the uploaded root not trusted, ... (report.message). */}
            <span data-testid="bundler-verdict">{typeof result.report.message === 'string' ? result.report.message : 'no chain to a trusted root'}</span>
          </>
        ) : (
          <>
            <Badge tone="ok">
              {result.chains.length} chain{result.chains.length === 1 ? '' : 's'}
            </Badge>{' '}
            for <strong>{certName(result.leaf)}</strong>; chosen: to <strong>{root ? certName(root) : '?'}</strong>, {chosen?.certs.length ?? 0} certificates.
          </>
        )}{' '}
        <span className="muted">
          Flavor {result.flavor}, validated at {formatLocalDateTime(Date.parse(result.at))}, in {Math.round(result.elapsedMs)} ms
          {busy ? '; bundling again…' : '.'}
        </span>
      </p>
    </section>
  );
}
