// An admin's one-click action on the whole vault (purge every delegation, reset the persisted
// ones): the admin's name and password, one confirmation, then the call and what it did.
import { useId, type FormEvent } from 'react';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { CredentialsFields, isError, useCredentials } from './credentials.tsx';
import { describeVaultError, type Credentials } from './vault-contract.ts';

interface Props {
  title: string;
  /** The question asked once before the call. */
  confirm: string;
  button: { idle: string; busy: string };
  /** What went wrong, as "Could not …". */
  failure: string;
  /** Makes the call; answers what it did, for the admin to read. */
  run(admin: Credentials): Promise<string>;
  testId: string;
}

export function AdminActionForm({ title, confirm, button, failure, run, testId }: Props) {
  const id = useId();
  const admin = useCredentials();
  const call = useFormCall(describeVaultError);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = admin.take();
    if (isError(credentials)) return call.fail(credentials.error);
    if (!window.confirm(confirm)) return;
    await call.run(failure, () => run(credentials));
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid={`${testId}-form`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <div className="form-row">
        <CredentialsFields input={admin} who="Admin" disabled={call.busy} />
        <button type="submit" className="danger" disabled={call.busy}>
          {call.busy ? button.busy : button.idle}
        </button>
      </div>
      <FormStatus result={call.result} error={call.error} testId={testId} />
    </form>
  );
}
