// The bundler as the host knows it (engine/host/registry.ts): one process, and `signalbox bundle`.
import type { EngineParts } from '../api/definition.ts';

export const bundlerParts: EngineParts<'bundler'> = {
  name: 'bundler',
  load: async () => (await import('./engine.ts')).bundlerEngine,
  command: {
    name: 'bundle',
    usage: `  bundle  CERT... [--flavor ubiquitous|optimal|force] [--at ISO] [--json] [--trust DIR|current|cfssl-2017]
          [--domain NAME] [--password PW] [--include-root] [--key FILE] [--leaf N] [--allow-sha1]
          the chain to serve for a certificate (PEM, DER, PKCS#7, PKCS#12; - reads stdin): prints the
          PEM bundle (cfssl's JSON report with --json), the ranked chains on stderr; exit 1: no valid chain.
          --leaf N: the N-th certificate read from the files (1-based) is the leaf; --allow-sha1: build a
          chain with SHA-1 signatures below the root, for legacy clients (browsers refuse it)`,
    load: async () => (await import('./command.ts')).bundleCommand,
  },
};
