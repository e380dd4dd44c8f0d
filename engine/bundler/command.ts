// `signalbox bundle CERT...`: the chain to serve for a certificate, as `cfssl bundle` prints it.
import { parseArgs } from 'node:util';
import type { CommandHost } from '../api/definition.ts';
import { BundleError, bundleUploads } from './bundle.ts';
import { summary } from './summary.ts';
import { TrustStore, TrustStoreError, trustDirFor } from './trust/store.ts';

export async function bundleCommand(args: string[], host: CommandHost): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      flavor: { type: 'string', default: 'ubiquitous' },
      at: { type: 'string' },
      json: { type: 'boolean', default: false },
      trust: { type: 'string', default: 'current' },
      domain: { type: 'string' },
      password: { type: 'string' },
      'include-root': { type: 'boolean', default: false },
      key: { type: 'string' },
      leaf: { type: 'string' },
      'allow-sha1': { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0)
    throw host.usageError('bundle: give the certificate file(s) to bundle, e.g. signalbox bundle site.pem chain.pem (- reads stdin)');
  if (!['ubiquitous', 'optimal', 'force'].includes(values.flavor)) {
    throw host.usageError(
      `bundle: --flavor "${values.flavor}": use ubiquitous (most clients trust it), optimal (shortest, newest) or force (the uploaded chain as is)`,
    );
  }
  const at = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(at.getTime()))
    throw host.usageError(`bundle: --at "${values.at}" is not a date; write it as ISO 8601, e.g. 2024-06-01 or 2024-06-01T12:00:00Z`);
  const leaf = values.leaf === undefined ? undefined : Number(values.leaf);
  if (leaf !== undefined && !(Number.isInteger(leaf) && leaf >= 1)) {
    throw host.usageError(`bundle: --leaf "${values.leaf}": give the number of the leaf among the certificates read, in file order, from 1 (e.g. --leaf 2)`);
  }
  const password = values.password === undefined ? {} : { password: values.password };
  const uploads = [
    ...positionals.map((file) => ({ name: file === '-' ? 'stdin' : file, bytes: host.readFile(file, ''), ...password })),
    ...(values.key === undefined ? [] : [{ name: values.key, bytes: host.readFile(values.key, '--key'), ...password }]),
  ];
  const store = (() => {
    try {
      return TrustStore.load(trustDirFor(values.trust));
    } catch (err) {
      if (err instanceof TrustStoreError) throw host.usageError(`bundle: --trust ${values.trust}: ${err.message}`);
      throw err;
    }
  })();
  let result: ReturnType<typeof bundleUploads>;
  try {
    result = bundleUploads(
      uploads,
      {
        flavor: values.flavor,
        at,
        includeRoot: values['include-root'],
        allowSha1: values['allow-sha1'],
        ...(values.domain ? { domain: values.domain } : {}),
        ...(leaf !== undefined ? { leaf } : {}),
      },
      store,
      { includeKeyPem: true },
    );
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    if (values.json) process.stdout.write(JSON.stringify({ code: err.cfsslCode, message: err.message }) + '\n');
    process.stderr.write(`signalbox: bundle: ${err.message} [${err.code}]\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(summary(result));
  // cfssl refuses a key that is not the leaf's (2300): bad input, whatever the chains.
  const mismatch = result.problems.find((p) => p.code === 2300);
  if (mismatch) {
    if (values.json) process.stdout.write(JSON.stringify({ code: mismatch.code, message: mismatch.message }) + '\n');
    process.exitCode = 2;
    return;
  }
  if (values.json) process.stdout.write(JSON.stringify(result.report) + '\n');
  else process.stdout.write(result.bundlePem);
  process.exitCode = result.bundlePem === '' ? 1 : 0;
}
