// /encrypt, /re-encrypt, /decrypt, /owners, /ssh-sign-with: ciphertexts. New ciphertexts are always
// in our format (authenticated, signed by their author); Red October's, once its vault was
// imported, are read and decrypted with the same rules. Any M of N owners (RO stopped at 2, §3.2).
import { StatusError, withJsonResponse, withResponse, type Answer } from '../answers.ts';
import { accessFields, accessStructure, checked, ciphertextBytes, ciphertextText, credentialFields, credentials } from '../fields.ts';
import type { GoStruct } from '../go-json.ts';
import { rsaFormats } from '../../ssh/signing-key.ts';
import { requireCreated, withCredentials, type Call } from '../handler.ts';

export const encryptRequest = {
  ...withCredentials,
  Minimum: 'int',
  Owners: 'strings',
  LeftOwners: 'strings',
  RightOwners: 'strings',
  Predicate: 'string',
  Data: 'bytes',
  Labels: 'strings',
  Usages: 'strings',
} as const satisfies GoStruct;
export const decryptRequest = { ...withCredentials, Data: 'bytes', OrderNum: 'string' } as const satisfies GoStruct;
export const ownersRequest = { Data: 'bytes' } as const satisfies GoStruct;
/** Red October's fields, plus (ours) `Algorithm` for RSA keys (rsa-sha2-256 | rsa-sha2-512) and `OrderNum`. */
export const sshSignWithRequest = { ...withCredentials, Data: 'bytes', TBSData: 'bytes', Algorithm: 'string', OrderNum: 'string' } as const satisfies GoStruct;

/** What vault.encrypt takes (engine/api/vault.ts: base64 of at most 16 MiB). */
const maxPlaintext = 16 * 1024 * 1024;

/** `Response` = base64 of the ciphertext document (a JSON object, like Red October's). */
export async function encrypt({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const data = request.bytes('Data');
  if (data.length > maxPlaintext) throw new StatusError('E_RO_FIELD', `Data is ${data.length} bytes; the vault encrypts at most 16 MiB at once`);
  const params = checked(
    'vault.encrypt',
    {
      credentials: credentials(request),
      data: data.toString('base64'),
      access: accessStructure(request),
      labels: request.strings('Labels'),
      usages: request.strings('Usages') as ('decrypt' | 'ssh-sign-with')[],
    },
    { ...credentialFields, data: 'Data', ...accessFields, labels: 'Labels', usages: 'Usages' },
  );
  const { ciphertext } = await vault.encrypt(params.credentials, source, {
    data: params.data,
    access: params.access,
    labels: params.labels,
    usages: params.usages,
  });
  return withResponse(ciphertextBytes(ciphertext));
}

/**
 * Decrypts `Data` with the caller's delegations (spending their uses) and encrypts it again in our
 * format: how Red October ciphertexts move over. Usages are kept, as Red October kept them. Red
 * October required a new access structure and took Labels from the request even when empty; here
 * an absent access structure keeps the old one, and absent Labels keep the old labels.
 */
export async function reEncrypt({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const sentAccess = ['Owners', 'LeftOwners', 'RightOwners', 'Predicate'].some((field) => request.has(field));
  const params = checked(
    'vault.reEncrypt',
    {
      credentials: credentials(request),
      ciphertext: ciphertextText(request.bytes('Data'), 'Data'),
      ...(sentAccess ? { access: accessStructure(request) } : {}),
      ...(request.has('Labels') ? { labels: request.strings('Labels') } : {}),
    },
    { ...credentialFields, ciphertext: 'Data', ...accessFields, labels: 'Labels' },
  );
  const { ciphertext } = await vault.reEncrypt(params.credentials, source, {
    ciphertext: params.ciphertext,
    ...(params.access ? { access: params.access } : {}),
    ...(params.labels ? { labels: params.labels } : {}),
  });
  return withResponse(ciphertextBytes(ciphertext));
}

/**
 * `Response` = base64 of `{"Data": base64 plaintext, "Secure": true, "Delegates": [owners used]}`.
 * Secure is always true: unauthenticated ciphertexts are refused, never decrypted (spec §8.7).
 * Approvals bound to an order serve that order only: `OrderNum` names it, or else the caller's
 * open order for this ciphertext whose approvals suffice is used (as Red October matched orders).
 */
export async function decrypt({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const creds = credentials(request);
  const ciphertext = ciphertextText(request.bytes('Data'), 'Data');
  const orderNum = request.string('OrderNum');
  const params = checked(
    'vault.decrypt',
    { credentials: creds, ciphertext, ...(orderNum === '' ? {} : { orderId: orderNum }) },
    { ...credentialFields, ciphertext: 'Data', orderId: 'OrderNum' },
  );
  const orderId = params.orderId ?? satisfiedOrder(vault, creds.name, ciphertext);
  const result = await vault.decrypt(params.credentials, source, params.ciphertext, orderId);
  return withJsonResponse({ Data: result.data, Secure: true, Delegates: result.delegates });
}

/** Owners, Labels and Predicate ("" unless the access structure is one), at the top level; no password needed. */
export function owners({ vault, request }: Call): Answer {
  const info = vault.inspect(ciphertextText(request.bytes('Data'), 'Data'));
  return { Status: 'ok', Owners: info.owners, Labels: info.labels, Predicate: info.access.kind === 'predicate' ? info.access.predicate : '' };
}

/**
 * `Response` = base64 of `{"SignatureFormat", "Signature": base64 blob, "Secure": true, "Delegates"}`
 * (Red October's SSHSignatureWithDelegates), what `ro ssh-agent` turns into an ssh-agent answer.
 * Red October's Go signer made SHA-1 `ssh-rsa` signatures for RSA keys, which OpenSSH refuses
 * (RFC 8332); here RSA signs rsa-sha2-512 unless `Algorithm` asks for rsa-sha2-256.
 */
export async function sshSignWith({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const creds = credentials(request);
  const algorithm = request.string('Algorithm');
  if (algorithm !== '' && !(rsaFormats as readonly string[]).includes(algorithm)) {
    throw new StatusError(
      'E_RO_FIELD',
      `Algorithm ${JSON.stringify(algorithm)} is not one the vault signs with: leave it out, or ask for ${rsaFormats.join(' or ')} (RSA keys; SHA-1 ssh-rsa is not offered)`,
    );
  }
  const ciphertext = ciphertextText(request.bytes('Data'), 'Data');
  const orderNum = request.string('OrderNum');
  const params = checked(
    'vault.decrypt',
    { credentials: creds, ciphertext, ...(orderNum === '' ? {} : { orderId: orderNum }) },
    { ...credentialFields, ciphertext: 'Data', orderId: 'OrderNum' },
  );
  const orderId = params.orderId ?? satisfiedOrder(vault, creds.name, ciphertext);
  const signed = await vault.sshSign(params.credentials, source, {
    ciphertext: params.ciphertext,
    data: request.bytes('TBSData'),
    orderId,
    ...(algorithm === '' ? {} : { rsaFormat: algorithm as (typeof rsaFormats)[number] }),
  });
  return withJsonResponse({ SignatureFormat: signed.format, Signature: signed.blob.toString('base64'), Secure: true, Delegates: signed.delegates });
}

/** The caller's open order for this ciphertext whose approvals already suffice, if any. */
function satisfiedOrder(vault: Call['vault'], name: string, ciphertext: string): string | null {
  const open = vault.listOrders().filter((order) => order.status === 'open' && order.requester === name && order.satisfied);
  if (open.length === 0) return null;
  let hash: string;
  try {
    hash = vault.inspect(ciphertext).hash;
  } catch {
    // The decryption itself will say what is wrong with the ciphertext, after the password check.
    return null;
  }
  return open.find((order) => order.ciphertextHash === hash)?.id ?? null;
}
