// How to bundle: the flavor (cfssl's ranking), the time to validate at, the host name the leaf must
// cover, whether the root goes into the bundle, and whether SHA-1 is accepted for legacy clients.
// Every change bundles again.
import { Panel } from '../../components/panel.tsx';
import { flavors, type Flavor } from './bundler-contract.ts';
import { localZone } from './bundler-format.ts';

export interface BundleOptions {
  flavor: Flavor;
  /** A datetime-local value (local time), or null for now. */
  at: string | null;
  domain: string;
  includeRoot: boolean;
  /** Accept SHA-1 signatures below the root (every current browser refuses them). */
  allowSha1: boolean;
  /** The n-th uploaded certificate is the leaf (chosen in the result summary), or null for the engine's rule. */
  leaf: number | null;
}

export const defaultOptions: BundleOptions = { flavor: 'ubiquitous', at: null, domain: '', includeRoot: false, allowSha1: false, leaf: null };

export const maxDomainLength = 253;

interface Props {
  value: BundleOptions;
  onChange(next: BundleOptions): void;
  /** What the time field shows while validating at now: the time of the last result, local. */
  nowValue: string;
  /** Why the time field's value cannot be used, or null. */
  atError: string | null;
}

export function OptionsPanel({ value, onChange, nowValue, atError }: Props) {
  const set = (patch: Partial<BundleOptions>) => onChange({ ...value, ...patch });
  const domainTooLong = value.domain.trim().length > maxDomainLength;
  return (
    <Panel headingId="bundler-options-heading" title="Options" className="bundler-options">
      <fieldset className="bundler-flavors">
        <legend>Flavor (how chains are ranked)</legend>
        {flavors.map((flavor) => (
          <label key={flavor.id} className="bundler-flavor">
            <input
              type="radio"
              name="bundler-flavor"
              value={flavor.id}
              checked={value.flavor === flavor.id}
              onChange={() => set({ flavor: flavor.id })}
              data-testid={`bundler-flavor-${flavor.id}`}
            />
            <span>
              <strong>{flavor.label}</strong> <span className="muted">{flavor.explain}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="form-row">
        <label>
          <span>
            Validate at ({value.at === null ? 'now, ' : ''}local time, {localZone()})
          </span>
          <input
            type="datetime-local"
            step={1}
            value={value.at ?? nowValue}
            onChange={(event) => set({ at: event.target.value === '' ? null : event.target.value })}
            aria-invalid={atError !== null}
            aria-describedby={atError ? 'bundler-at-error' : undefined}
            data-testid="bundler-at"
          />
        </label>
        <button type="button" onClick={() => set({ at: null })} disabled={value.at === null}>
          Now
        </button>
        <label>
          <span>Domain the leaf must cover (optional)</span>
          <input
            type="text"
            value={value.domain}
            onChange={(event) => set({ domain: event.target.value })}
            placeholder="www.example.com"
            spellCheck={false}
            autoComplete="off"
            size={26}
            aria-invalid={domainTooLong}
            aria-describedby={domainTooLong ? 'bundler-domain-error' : undefined}
            data-testid="bundler-domain"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={value.includeRoot}
            onChange={(event) => set({ includeRoot: event.target.checked })}
            data-testid="bundler-include-root"
          />
          Include the root in the bundle
        </label>
        <label className="check">
          <input type="checkbox" checked={value.allowSha1} onChange={(event) => set({ allowSha1: event.target.checked })} data-testid="bundler-allow-sha1" />
          Allow SHA-1 below the root (legacy clients only: browsers refuse it)
        </label>
      </div>
      {atError && (
        <p id="bundler-at-error" className="error">
          {atError}
        </p>
      )}
      {domainTooLong && (
        <p id="bundler-domain-error" className="error">
          A host name has at most {maxDomainLength} characters; this one is not checked until it is shorter.
        </p>
      )}
    </Panel>
  );
}
