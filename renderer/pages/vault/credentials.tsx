// Name and password of the person acting, typed again for every call that needs them. The password
// is never React state: it stays in its input until the form sends it, and the field is emptied
// the moment it is read, so it lives no longer than the one call it is for.
import { useId, useRef, useState, type RefObject } from 'react';
import { isUserName, type Credentials } from './vault-contract.ts';

export interface CredentialsInput {
  name: string;
  setName(name: string): void;
  passwordRef: RefObject<HTMLInputElement | null>;
  /** The credentials for one call, emptying the password field; or what is missing. */
  take(): Credentials | { error: string };
  /** Empties the password field (a form that gives up before calling). */
  clear(): void;
}

export function useCredentials(initialName = ''): CredentialsInput {
  const [name, setName] = useState(initialName);
  const passwordRef = useRef<HTMLInputElement>(null);
  const clear = () => {
    if (passwordRef.current) passwordRef.current.value = '';
  };
  const take = (): Credentials | { error: string } => {
    const password = passwordRef.current?.value ?? '';
    clear();
    const trimmed = name.trim();
    if (!isUserName(trimmed)) return { error: trimmed ? `"${trimmed}" is not an account name (letters, digits, _ and -).` : 'Write the account name.' };
    if (!password) return { error: `Write ${trimmed}'s password.` };
    return { name: trimmed, password };
  };
  return { name, setName, passwordRef, take, clear };
}

export function isError(value: object): value is { error: string } {
  return 'error' in value;
}

interface FieldsProps {
  input: CredentialsInput;
  /** Whose credentials these are, for the labels: "Your", "Admin", "Approver". */
  who: string;
  /** Names offered as the name is typed (e.g. the owners of an order). */
  suggestions?: readonly string[];
  disabled?: boolean;
}

export function CredentialsFields({ input, who, suggestions, disabled }: FieldsProps) {
  const id = useId();
  return (
    <div className="form-row">
      <label>
        <span>{who} name</span>
        <input
          type="text"
          value={input.name}
          onChange={(event) => input.setName(event.target.value)}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          size={14}
          list={suggestions?.length ? `${id}-names` : undefined}
          disabled={disabled}
        />
      </label>
      {suggestions && suggestions.length > 0 && (
        <datalist id={`${id}-names`}>
          {suggestions.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      )}
      <PasswordField label={`${who} password`} inputRef={input.passwordRef} disabled={disabled} />
    </div>
  );
}

/**
 * A password input: "new-password" keeps the browser from filling in a saved password, which on a
 * console several operators share would be someone else's.
 */
export function PasswordField({ label, inputRef, disabled }: { label: string; inputRef: RefObject<HTMLInputElement | null>; disabled?: boolean }) {
  return (
    <label>
      <span>{label}</span>
      <input type="password" ref={inputRef} autoComplete="new-password" size={16} disabled={disabled} />
    </label>
  );
}

/** Reads a new password typed twice, emptying both fields; or what is wrong with it. */
export function takeNewPassword(
  first: RefObject<HTMLInputElement | null>,
  second: RefObject<HTMLInputElement | null>,
  minLength: number,
): string | { error: string } {
  const password = first.current?.value ?? '';
  const again = second.current?.value ?? '';
  if (first.current) first.current.value = '';
  if (second.current) second.current.value = '';
  if (password.length < minLength) return { error: `The new password needs at least ${minLength} characters.` };
  if (password !== again) return { error: 'The two new passwords differ; type them again.' };
  return password;
}
