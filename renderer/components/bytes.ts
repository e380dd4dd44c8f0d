// Bytes in the browser: files read with progress, base64 in slices (16 MiB at once would freeze
// the page), UTF-8 told apart from binary, and downloads.

/** Reads a file, reporting the fraction read. */
export function readFileBytes(file: File, onProgress: (fraction: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(new Error(`cannot read ${file.name}: ${reader.error?.message ?? 'unknown error'}`));
    reader.readAsArrayBuffer(file);
  });
}

/** 3 × 2^18 bytes: a multiple of 3, so the slices' base64 joins without padding in between. */
const sliceBytes = 3 * 262_144;

/** Base64 of the bytes, a slice at a time, yielding to the page between slices. */
export async function toBase64(bytes: Uint8Array, onProgress: (fraction: number) => void = () => {}): Promise<string> {
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += sliceBytes) {
    const slice = bytes.subarray(start, start + sliceBytes);
    let binary = '';
    for (let i = 0; i < slice.length; i += 0x8000) binary += String.fromCharCode(...slice.subarray(i, i + 0x8000));
    parts.push(btoa(binary));
    onProgress(Math.min(1, (start + slice.length) / bytes.length));
    if (start + sliceBytes < bytes.length) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return parts.join('');
}

export function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The text, when the bytes are valid UTF-8 (and not control-character binary); else null. */
export function asText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // NUL and other C0 controls besides tab and line breaks mean a binary format, not text.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return /[\u0000-\u0008\u000b\u000e-\u001f]/.test(text) ? null : text;
}

export function saveFile(bytes: Uint8Array<ArrayBuffer> | string | Blob, fileName: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(bytes instanceof Blob ? bytes : new Blob([bytes], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it started; a minute is ample.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Copies text; false when the browser refuses (no focus, or no clipboard permission). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
