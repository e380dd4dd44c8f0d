// The leaf and every certificate read from the uploads, one card each: who it is, who issued it,
// how long it is valid at the chosen time, its key and signature, names, fingerprint and source.
import type { ReactNode } from 'react';
import { Badge } from '../../components/badge.tsx';
import { Panel } from '../../components/panel.tsx';
import type { CertificateCard } from './bundler-contract.ts';
import { certName, formatDate, lifetimeAt } from './bundler-format.ts';

/** SANs shown before the rest fold away. */
const shownNames = 6;

export function CertificateCards({ leaf, uploaded, at }: { leaf: CertificateCard; uploaded: readonly CertificateCard[]; at: string }) {
  const others = uploaded.filter((cert) => cert.fingerprint !== leaf.fingerprint);
  return (
    <Panel headingId="bundler-certs-heading" title="Certificates" aside={<span className="muted">{others.length + 1} read</span>}>
      <div className="bundler-cards">
        <CertificateView cert={leaf} role="leaf" at={at} />
        {others.map((cert) => (
          <CertificateView key={cert.fingerprint} cert={cert} role="uploaded" at={at} />
        ))}
      </div>
    </Panel>
  );
}

function CertificateView({ cert, role, at }: { cert: CertificateCard; role: 'leaf' | 'uploaded'; at: string }) {
  const headingId = `bundler-cert-${role}-${cert.fingerprint.replace(/[^0-9a-f]/gi, '').slice(0, 16)}`;
  return (
    <article className="bundler-card" data-testid="bundler-cert-card" data-role={role} data-fingerprint={cert.fingerprint} aria-labelledby={headingId}>
      <h3 id={headingId}>
        {certName(cert)}
        <span className="bundler-card-badges">
          {role === 'leaf' && <Badge tone="info">leaf</Badge>}
          {cert.isCA && <Badge tone="neutral">CA</Badge>}
          {cert.selfIssued && <Badge tone="neutral">self-issued</Badge>}
        </span>
      </h3>
      <dl className="bundler-facts">
        <Fact label="Subject">{cert.subject}</Fact>
        <Fact label="Issuer">{cert.issuer}</Fact>
        <Fact label="Valid">
          <Validity notBefore={cert.notBefore} notAfter={cert.notAfter} at={at} />
        </Fact>
        <Fact label="Key">{cert.key}</Fact>
        <Fact label="Signature">{cert.signatureAlgorithm}</Fact>
        {cert.sans.length > 0 && (
          <Fact label={`Names (${cert.sans.length})`}>
            <Names names={cert.sans} />
          </Fact>
        )}
        <Fact label="Serial">
          <code>{cert.serialNumber}</code>
        </Fact>
        <Fact label="SHA-256">
          <code className="bundler-fingerprint">{cert.fingerprint}</code>
        </Fact>
        <Fact label="Source">{cert.source}</Fact>
      </dl>
    </article>
  );
}

/** The validity period and where the validation time falls in it; colour repeats what the words say. */
export function Validity({ notBefore, notAfter, at }: { notBefore: string; notAfter: string; at: string }) {
  const from = formatDate(notBefore);
  const to = formatDate(notAfter);
  const life = lifetimeAt(notBefore, notAfter, at);
  const badge =
    life.state === 'expired' ? (
      <Badge tone="bad">expired {life.days} d before</Badge>
    ) : life.state === 'not-yet' ? (
      <Badge tone="bad">not valid for {life.days} d yet</Badge>
    ) : (
      <Badge tone={life.days < 30 ? 'warn' : 'ok'}>{life.days} d left</Badge>
    );
  return (
    <span className="bundler-validity">
      <time dateTime={notBefore} title={from.title}>
        {from.text}
      </time>
      {' – '}
      <time dateTime={notAfter} title={to.title}>
        {to.text}
      </time>{' '}
      {badge}
    </span>
  );
}

function Names({ names }: { names: readonly string[] }) {
  if (names.length <= shownNames) return <>{names.join(', ')}</>;
  return (
    <details>
      <summary>
        {names.slice(0, shownNames).join(', ')} and {names.length - shownNames} more
      </summary>
      {names.slice(shownNames).join(', ')}
    </details>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
