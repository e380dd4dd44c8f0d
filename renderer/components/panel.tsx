// A page's panel: a section named by its heading, the panel's own error under it, then its content.
// A panel that other parts of the page send the keyboard to (a tile, a jump link) passes headingRef.
import type { ComponentProps, ReactNode, Ref } from 'react';

interface Props extends Omit<ComponentProps<'section'>, 'title'> {
  headingId: string;
  title: ReactNode;
  headingRef?: Ref<HTMLHeadingElement>;
  /** Beside the heading, in the same line: a status, a count, a control. */
  aside?: ReactNode;
  error?: ReactNode;
}

export function Panel({ headingId, title, headingRef, aside, error, className, children, ...section }: Props) {
  const heading = (
    <h2 id={headingId} ref={headingRef} tabIndex={headingRef ? -1 : undefined}>
      {title}
    </h2>
  );
  return (
    <section aria-labelledby={headingId} className={className ? `panel ${className}` : 'panel'} {...section}>
      {aside === undefined ? (
        heading
      ) : (
        <div className="panel-head">
          {heading}
          {aside}
        </div>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {children}
    </section>
  );
}
