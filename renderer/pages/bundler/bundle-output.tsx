// What to install on the server: the chosen chain as a PEM bundle to copy or save, and the JSON
// report (cfssl's keys plus the explanations) to keep with it.
import { useState } from 'react';
import { copyText, saveFile } from '../../components/bytes.ts';
import { Panel } from '../../components/panel.tsx';
import type { BundleResult } from './bundler-contract.ts';

export function BundleOutput({ result, includeRoot }: { result: BundleResult; includeRoot: boolean }) {
  const [note, setNote] = useState<string | null>(null);
  const pem = result.bundlePem;
  const report = JSON.stringify(result.report, null, 2);
  const copy = async () => setNote((await copyText(pem)) ? 'Copied.' : 'The browser refused the clipboard: select the text and press Ctrl+C.');
  const certificates = (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;

  return (
    <Panel
      headingId="bundler-chosen-heading"
      title="Chosen bundle"
      data-testid="bundler-chosen"
      aside={pem ? <span className="muted">{certificates} certificates, leaf first</span> : undefined}
    >
      {pem ? (
        <>
          <p className="muted">
            {includeRoot
              ? 'The root is included, as asked; clients already have it, so most servers leave it out.'
              : 'The root is left out (clients have it in their stores); tick "Include the root" to add it.'}
          </p>
          <label>
            <span>Bundle (PEM)</span>
            <textarea
              className="bundler-pem"
              readOnly
              rows={8}
              value={pem}
              spellCheck={false}
              onFocus={(event) => event.target.select()}
              data-testid="bundler-bundle-pem"
            />
          </label>
          <div className="form-row">
            <button type="button" onClick={() => void copy()}>
              Copy
            </button>
            <button type="button" onClick={() => saveFile(pem, 'bundle.pem', 'application/x-pem-file')}>
              Save bundle.pem
            </button>
            <span role="status" className="muted">
              {note}
            </span>
          </div>
        </>
      ) : (
        <p className="muted" data-testid="bundler-bundle-pem" data-empty="true">
          No bundle: no chain was found for this leaf. The report says why.
        </p>
      )}
      <details className="bundler-report">
        <summary>JSON report (cfssl’s keys and the explanations)</summary>
        <pre data-testid="bundler-report">{report}</pre>
      </details>
      <div className="form-row">
        <button type="button" onClick={() => saveFile(report, 'bundle-report.json', 'application/json')}>
          Save the report
        </button>
      </div>
    </Panel>
  );
}
