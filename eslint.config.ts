// ESLint (flat config): typescript-eslint's recommended rules, React's hooks rules for the
// renderer, and the repository's import boundaries (test/architecture) as `signalbox/import-boundary`.
// `npm run lint`; test/architecture/lint.test.ts runs it inside `npm test`.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { signalboxPlugin } from './test/architecture/eslint-plugin.ts';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test/fixtures/**', 'bin/**', 'engine/dns/modules/dnstap/dnstap.pb.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { signalbox: signalboxPlugin },
    rules: {
      'signalbox/import-boundary': 'error',
      // A `let` a closure reads before its one assignment (serve.ts: handlers made before the server exists) stays a let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `_name`: a value that is taken apart on purpose (a field left out of a copy, an unused position).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests take parsed JSON and fixtures apart field by field; `any` there is the honest type.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', globalThis: 'readonly' } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
