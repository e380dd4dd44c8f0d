// A new account as the vault takes it: a name, a password typed twice and a key type, for the
// vault's first account and for each one an admin creates. The password is never React state: it
// stays in its two fields, emptied the moment the form reads it.
import { useRef, useState, type RefObject } from 'react';
import { PasswordField, takeNewPassword } from './credentials.tsx';
import { KeyTypeSelect, type KeyType } from './key-type-select.tsx';
import { isUserName, minPasswordLength } from './vault-contract.ts';

interface Labels {
  name: string;
  password: string;
  again: string;
}

export interface NewAccountInput {
  labels: Labels;
  name: string;
  setName(name: string): void;
  type: KeyType;
  setType(type: KeyType): void;
  password: RefObject<HTMLInputElement | null>;
  again: RefObject<HTMLInputElement | null>;
  /** The account to create, emptying both password fields; or what is wrong with it. */
  take(): { name: string; password: string; type: KeyType } | { error: string };
}

export function useNewAccount(labels: Labels): NewAccountInput {
  const [name, setName] = useState('');
  const [type, setType] = useState<KeyType>('ECC');
  const password = useRef<HTMLInputElement>(null);
  const again = useRef<HTMLInputElement>(null);
  const take = () => {
    const chosen = takeNewPassword(password, again, minPasswordLength);
    const account = name.trim();
    if (!isUserName(account)) return { error: `${labels.name}: letters, digits, _ and -, starting with a letter or digit.` };
    if (typeof chosen !== 'string') return chosen;
    return { name: account, password: chosen, type };
  };
  return { labels, name, setName, type, setType, password, again, take };
}

export function NewAccountFields({ input }: { input: NewAccountInput }) {
  return (
    <>
      <label>
        <span>{input.labels.name}</span>
        <input type="text" value={input.name} onChange={(event) => input.setName(event.target.value)} autoComplete="off" spellCheck={false} size={16} />
      </label>
      <PasswordField label={input.labels.password} inputRef={input.password} />
      <PasswordField label={input.labels.again} inputRef={input.again} />
      <KeyTypeSelect value={input.type} onChange={input.setType} />
    </>
  );
}
