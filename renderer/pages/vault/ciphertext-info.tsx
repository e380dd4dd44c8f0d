// What a ciphertext says about itself (checked by the vault): owners, who may decrypt, labels.
import { Badge } from '../../components/badge.tsx';
import { describeAccess } from './access-picker.tsx';
import type { CiphertextInfo } from './vault-contract.ts';

export function CiphertextInfoView({ info, testId }: { info: CiphertextInfo; testId?: string }) {
  return (
    <dl className="vault-info" data-testid={testId}>
      <div>
        <dt>Format</dt>
        <dd>{info.format === 'redoctober' ? <Badge tone="warn">Red October</Badge> : <Badge tone="ok">signalbox</Badge>}</dd>
      </div>
      <div>
        <dt>Owners</dt>
        <dd>{info.owners.join(', ')}</dd>
      </div>
      <div>
        <dt>Access</dt>
        <dd>{describeAccess(info.access)}</dd>
      </div>
      <div>
        <dt>Labels</dt>
        <dd>{info.labels.length ? info.labels.join(', ') : <span className="muted">none</span>}</dd>
      </div>
      <div>
        <dt>Usages</dt>
        <dd>{info.usages.join(', ')}</dd>
      </div>
      {info.createdBy && (
        <div>
          <dt>Encrypted by</dt>
          <dd>{info.createdBy}</dd>
        </div>
      )}
      <div>
        <dt>Hash</dt>
        <dd>
          <code title={info.hash}>{info.hash.slice(0, 16)}…</code>
        </dd>
      </div>
    </dl>
  );
}
