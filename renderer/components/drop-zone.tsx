// An area that takes a file (or, with onFiles, every file) dropped on it, and shows when one is
// dragged over it.
import { useState, type ReactNode } from 'react';

type Take = { onFile(file: File | undefined): void; onFiles?: never } | { onFiles(files: File[]): void; onFile?: never };

type Props = Take & { disabled?: boolean; testId?: string; className?: string; children: ReactNode };

export function DropZone({ onFile, onFiles, disabled, testId, className, children }: Props) {
  const [dragging, setDragging] = useState(false);
  return (
    <div
      className={className ? `drop-zone ${className}` : 'drop-zone'}
      data-dragging={dragging || undefined}
      data-testid={testId}
      onDragOver={(event) => {
        // Without this the browser opens the file instead of dropping it here.
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        if (disabled) return;
        const files = [...event.dataTransfer.files];
        if (onFiles) onFiles(files);
        else onFile?.(files[0]);
      }}
    >
      {children}
    </div>
  );
}
