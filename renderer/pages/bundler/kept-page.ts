// What the Bundler page showed, kept while the operator visits other pages (the page unmounts
// then), so coming back shows the same files, options and answer at once. Passwords are not kept:
// they leave memory with the page, and a file that needs one asks for it again.
import type { BundleResult } from './bundler-contract.ts';
import type { BundleOptions } from './options-panel.tsx';
import type { Upload } from './use-uploads.ts';

export interface KeptPage {
  files: readonly Upload[];
  pasted: string;
  options: BundleOptions;
  result: BundleResult | null;
}

let kept: KeptPage | null = null;

export function keptPage(): KeptPage | null {
  return kept;
}

export function keepPage(page: KeptPage): void {
  kept = { ...page, files: page.files.map((file) => ({ ...file, password: '' })) };
}
