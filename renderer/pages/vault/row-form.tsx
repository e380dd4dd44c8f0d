// A form opened from a table row's button, to confirm one action on that row. The keyboard goes
// on to its first empty field (a name filled in already leaves the password), and Escape closes it.
import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

interface Props {
  title: ReactNode;
  testId: string;
  onSubmit(event: FormEvent): void;
  onCancel(): void;
  children: ReactNode;
}

export function RowForm({ title, testId, onSubmit, onCancel, children }: Props) {
  const id = useId();
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => [...(form.current?.querySelectorAll('input') ?? [])].find((input) => input.value === '')?.focus(), []);
  return (
    <form
      ref={form}
      className="form"
      onSubmit={onSubmit}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
      aria-labelledby={`${id}-title`}
      data-testid={testId}
    >
      <h3 id={`${id}-title`}>{title}</h3>
      {children}
    </form>
  );
}
