// The accounts of each chosen Red October vault file and what the import does with each: added,
// there already (the same key pair), or a clash — the name is taken by someone else's key pair —
// with a field for the new name it gets here. A renamed account keeps its field, to change it again.
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import type { ChosenFile, ImportPlan } from './use-import-plan.ts';

interface Props {
  files: readonly ChosenFile[];
  plan: ImportPlan;
  validName(name: string): boolean;
  onRename(fileIndex: number, from: string, to: string): void;
  onRemove(fileIndex: number): void;
  disabled?: boolean;
}

const outcomeBadge = {
  new: <Badge tone="ok">new</Badge>,
  'imported-before': <Badge tone="neutral">there already</Badge>,
  clash: <Badge tone="bad">new name needed</Badge>,
};

export function ImportPlanView({ files, plan, validName, onRename, onRemove, disabled }: Props) {
  return (
    <div data-testid="vault-import-plan">
      {plan.files.map((planned, index) => {
        const file = files[index];
        if (!file) return null;
        return (
          <section key={`${index}:${file.name}`} className="vault-import-file" data-testid="vault-import-file">
            <h4>
              {file.name}{' '}
              <span className="muted">
                Red October vault {planned.vaultId}
                {planned.importedBefore ? ', imported before' : ''}
              </span>{' '}
              <button type="button" className="link-button" onClick={() => onRemove(index)} disabled={disabled} aria-label={`Remove ${file.name}`}>
                Remove
              </button>
            </h4>
            <DataTable columns={['Red October name', 'Name here', 'Import', 'Why']}>
              <tbody>
                {planned.accounts.map((account) => {
                  const typed = file.renames[account.name];
                  const renaming = account.outcome === 'clash' || typed !== undefined;
                  const wrong = typed !== undefined && typed !== '' && !validName(typed);
                  return (
                    <tr key={account.name} data-testid="vault-import-account" data-outcome={account.outcome}>
                      <td>{account.name}</td>
                      <td>
                        {renaming ? (
                          <>
                            <label>
                              <span className="visually-hidden">New name for {account.name}</span>
                              <input
                                type="text"
                                value={typed ?? ''}
                                placeholder={`new name for ${account.name}`}
                                onChange={(event) => onRename(index, account.name, event.target.value)}
                                aria-invalid={wrong || undefined}
                                autoComplete="off"
                                autoCapitalize="off"
                                spellCheck={false}
                                size={16}
                                disabled={disabled}
                              />
                            </label>
                            {wrong && <span className="error"> letters, digits, _ and -; starts with a letter or digit</span>}
                          </>
                        ) : (
                          account.as
                        )}
                      </td>
                      <td>{outcomeBadge[account.outcome]}</td>
                      <td className="muted">{account.reason}</td>
                    </tr>
                  );
                })}
              </tbody>
            </DataTable>
          </section>
        );
      })}
      {plan.problems.length > 0 && (
        <ul className="vault-list error" data-testid="vault-import-problems">
          {plan.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
