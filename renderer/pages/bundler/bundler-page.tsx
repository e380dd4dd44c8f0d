// The Bundler page: drop a certificate (with its intermediates and key, in any order), get every
// chain to a trusted root ranked as cfssl ranks them, explained, and the bundle to serve. What goes
// in is on top (files, paste, options); every change bundles again, and the last answer stays on
// the screen until the next one arrives.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { EngineUnavailable } from '../../components/engine-unavailable.tsx';
import { describeError } from '../../components/errors.ts';
import { useConnection } from '../../components/use-connection.ts';
import { usePolling } from '../../components/use-polling.ts';
import { BundleOutput } from './bundle-output.tsx';
import './bundler.css';
import { describeBundlerError, isEngineUnavailable, isTransient, passwordRefusal, type BundleRequest } from './bundler-contract.ts';
import { fromLocalInput, toLocalInput } from './bundler-format.ts';
import { keepPage, keptPage } from './kept-page.ts';
import { CertificateCards } from './certificate-cards.tsx';
import { ChainsPanel } from './chains-panel.tsx';
import { OptionsPanel, defaultOptions, maxDomainLength, type BundleOptions } from './options-panel.tsx';
import { ResultSummary } from './result-summary.tsx';
import { TrustHeader } from './trust-header.tsx';
import { UploadPanel } from './upload-panel.tsx';
import { useBundle } from './use-bundle.ts';
import { useUploads } from './use-uploads.ts';

export function BundlerPage({ client }: { client: ApiClient }) {
  const [kept] = useState(keptPage);
  const uploads = useUploads(kept);
  const [options, setOptions] = useState<BundleOptions>(kept?.options ?? defaultOptions);
  const [openedAt] = useState(() => Date.now());
  // A chosen leaf is a number in the uploads as they were: other files, the engine's choice again.
  const firstRequest = useRef(true);
  useEffect(() => {
    if (firstRequest.current) {
      firstRequest.current = false;
      return;
    }
    setOptions((current) => (current.leaf === null ? current : { ...current, leaf: null }));
  }, [uploads.request]);
  const connected = useConnection(client).status === 'open';

  // The trust data rarely changes; asked often only while the engine is away, so the page comes
  // back by itself once it is enabled or restarted.
  const [away, setAway] = useState(false);
  const trust = usePolling(() => client.call('bundler.trust', {}), away ? 2000 : 60_000, [client]);
  const unavailable = isEngineUnavailable(trust.error) ? trust.error : null;
  useEffect(() => setAway(unavailable !== null), [unavailable]);

  const at = options.at === null ? null : fromLocalInput(options.at);
  const atError = options.at !== null && at === null ? 'Write a whole date and time (day, month, year, hours and minutes), or press Now.' : null;
  const domain = options.domain.trim();
  const request = useMemo((): BundleRequest | null => {
    if (!uploads.request || atError || domain.length > maxDomainLength) return null;
    return {
      files: uploads.request,
      flavor: options.flavor,
      includeRoot: options.includeRoot,
      allowSha1: options.allowSha1,
      ...(options.leaf !== null ? { leaf: options.leaf } : {}),
      ...(at ? { at } : {}),
      ...(domain ? { domain } : {}),
    };
  }, [uploads.request, options.flavor, options.includeRoot, options.allowSha1, options.leaf, at, atError, domain]);
  const bundling = useBundle(client, request, kept?.result ?? null);
  const { result, busy } = bundling;
  // Kept for when the operator comes back from another page (without passwords: kept-page.ts).
  const shown = useRef({ files: uploads.files, pasted: uploads.pasted, options, result });
  shown.current = { files: uploads.files, pasted: uploads.pasted, options, result };
  useEffect(() => () => keepPage(shown.current), []);

  const bundleAway = isTransient(bundling.error);

  const uploaded = useMemo(() => new Set(result?.uploaded.map((cert) => cert.fingerprint) ?? []), [result]);

  // Not enabled needs a config change and a host restart; a restart in progress keeps the page.
  if (unavailable && (!trust.data || /not enabled/.test(unavailable.message))) {
    return (
      <EngineUnavailable title="bundler" testId="bundler-unavailable" reason={unavailable} config={'engines:\n  bundler:\n    enabled: true'}>
        <p>
          or bundle from the command line with <code>signalbox bundle CERT.pem [--flavor optimal] [--at ISO] [--domain NAME] [--json]</code>.
        </p>
      </EngineUnavailable>
    );
  }

  const callError = bundling.error !== null && !bundleAway ? describeBundlerError(bundling.error) : null;
  return (
    <div className="page bundler-page">
      {unavailable && (
        <p className="notice" role="status">
          The bundler engine is restarting ({unavailable.message}); the page bundles again once it is back.
        </p>
      )}
      {!connected && <p className="notice">Not connected: the results below are the last the host sent; the page bundles again once reconnected.</p>}
      {connected && !unavailable && bundleAway && (
        <p className="notice" role="status">
          The bundler did not answer ({(bundling.error as Error).message}); the page asks again every few seconds.
        </p>
      )}
      {connected && !unavailable && trust.error !== null && (
        <p className="notice error" role="alert">
          Cannot read the bundler's trust data: {describeError(trust.error)}
        </p>
      )}
      <TrustHeader trust={trust.data} />
      <div className="panel-row">
        <UploadPanel
          uploads={uploads}
          problems={result?.problems ?? []}
          uploaded={result?.uploaded ?? []}
          callError={callError}
          passwordRefusal={passwordRefusal(bundling.error)}
        />
        <OptionsPanel
          value={options}
          onChange={setOptions}
          nowValue={toLocalInput(result && options.at === null ? Date.parse(result.at) : openedAt)}
          atError={atError}
        />
      </div>
      {!result && busy && (
        <p className="muted" role="status">
          Bundling…
        </p>
      )}
      {!result && !busy && !uploads.request && (
        <p className="muted bundler-hint">
          Drop a certificate above, or paste it: the chains to every trusted root appear here, ranked, with the bundle to serve.
        </p>
      )}
      {result && (
        <div className="bundler-results" aria-busy={busy} data-busy={busy}>
          <ResultSummary result={result} busy={busy} chosenLeaf={options.leaf} onChooseLeaf={(leaf) => setOptions({ ...options, leaf })} />
          <BundleOutput result={result} includeRoot={options.includeRoot} />
          <ChainsPanel chains={result.chains} uploaded={uploaded} />
          <CertificateCards leaf={result.leaf} uploaded={result.uploaded} at={result.at} />
        </div>
      )}
    </div>
  );
}
