// An area that takes a file dropped on it, and shows when one is dragged over it.
import { useState, type ReactNode } from 'react';

export function DropZone({ onFile, disabled, children }: { onFile(file: File | undefined): void; disabled?: boolean; children: ReactNode }) {
  const [dragging, setDragging] = useState(false);
  return (
    <div
      className="drop-zone"
      data-dragging={dragging || undefined}
      onDragOver={(event) => {
        // Without this the browser opens the file instead of dropping it here.
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        if (!disabled) onFile(event.dataTransfer.files[0]);
      }}
    >
      {children}
    </div>
  );
}
