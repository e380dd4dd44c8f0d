// A chain as connected boxes, leaf to root, each marked with where the bundler found it: the
// uploads, the intermediate pool, or a root store.
import type { CertificateCard, RankedChainView } from './bundler-contract.ts';
import { certName } from './bundler-format.ts';

export type Origin = 'uploaded' | 'pool' | 'root';

/** Where a certificate of a chain came from; the last one is the trust anchor from a root store. */
export function originOf(cert: CertificateCard, index: number, length: number, uploaded: ReadonlySet<string>): Origin {
  if (index > 0 && index === length - 1) return 'root';
  return uploaded.has(cert.fingerprint) || index === 0 ? 'uploaded' : 'pool';
}

const originLabels: Record<Origin, string> = { uploaded: 'uploaded', pool: 'intermediate pool', root: 'root store' };

export function ChainGraph({ chain, uploaded }: { chain: RankedChainView; uploaded: ReadonlySet<string> }) {
  const length = chain.certs.length;
  return (
    <ol className="bundler-graph" aria-label={`Chain ${chain.rank}, from the leaf to the root`} data-testid="bundler-chain-graph">
      {chain.certs.map((cert, index) => {
        const origin = originOf(cert, index, length, uploaded);
        const role = index === 0 ? 'leaf' : origin === 'root' ? 'root' : 'intermediate';
        const alsoUploaded = origin === 'root' && uploaded.has(cert.fingerprint);
        return (
          <li
            key={`${index}-${cert.fingerprint}`}
            className="bundler-node"
            data-origin={origin}
            title={`${cert.subject}\nSHA-256 ${cert.fingerprint}\n${cert.source}`}
          >
            <span className="bundler-node-role">{role}</span>
            <span className="bundler-node-name">{certName(cert)}</span>
            <span className="bundler-node-origin">
              {originLabels[origin]}
              {alsoUploaded ? ' (also uploaded)' : ''}
            </span>
            {/* Cross-signs and re-issued roots share a name; the fingerprint tells the boxes apart. */}
            <code className="bundler-node-fp">{cert.fingerprint.replace(/:/g, '').slice(0, 12)}…</code>
          </li>
        );
      })}
    </ol>
  );
}
