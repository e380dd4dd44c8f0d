// The bundler's codes (engine/api/error-codes.ts has the other namespaces). A bundler.bundle call
// is refused as a whole only when no certificate can be read: E_BUNDLER_<cfssl code> (cfssl's
// errors/error.go numbering, engine/bundler/input/README.md for the ones that are ours). Everything
// else comes back inside the answer: `problems` (one name per kind, with its numeric code) and the
// chains' `warnings`.

/** Codes of the ApiErrors bundler.bundle throws; the message names the first unreadable upload. */
export const bundlerErrors = {
  E_BUNDLER_1002:
    'no certificate in the uploads ({what} found): add the certificate to bundle, as PEM, DER, PKCS#7 or PKCS#12 (or: at: "{at}" is not a date; or: the first problem, E_INPUT_DECODE)',
  E_BUNDLER_1003: 'no certificate could be read: {source}: {problem} (E_INPUT_PARSE)',
  E_BUNDLER_1010: 'no certificate could be read: {source}: {problem} (E_INPUT_TRUNCATED)',
  E_BUNDLER_1011: 'no certificate could be read: {source}: {problem} (E_INPUT_TOO_LARGE)',
  E_BUNDLER_1012: 'no certificate could be read: {source}: {problem} (E_INPUT_UNSUPPORTED)',
  E_BUNDLER_1013: 'no certificate could be read: {source}: {problem} (E_INPUT_WORK_LIMIT)',
  E_BUNDLER_1020: 'no certificate could be read: {source}: {problem} (E_INPUT_PASSWORD_REQUIRED: give the PKCS#12 password)',
  E_BUNDLER_1021: 'no certificate could be read: {source}: {problem} (E_INPUT_WRONG_PASSWORD)',
  E_BUNDLER_1200: 'leaf {n}: only {count} certificates were read from the uploads; choose a number from 1 to {count}',
  E_BUNDLER_2002: 'no certificate could be read: {source}: {problem} (E_KEY_DECODE)',
  E_BUNDLER_2003: 'no certificate could be read: {source}: {problem} (E_KEY_PARSE)',
  E_BUNDLER_2100: 'no certificate could be read: {source}: {problem} (E_KEY_ENCRYPTED: give the key password)',
  E_BUNDLER_2101: 'no certificate could be read: {source}: {problem} (E_KEY_WRONG_PASSWORD)',
  E_BUNDLER_2200: 'no certificate could be read: {source}: {problem} (E_KEY_UNSUPPORTED)',
  E_BUNDLER_2300: 'no certificate could be read: {source}: {problem} (E_KEY_MISMATCH)',
} as const;

/** The trust data named by engines.bundler.trust or --trust cannot be loaded (the engine does not start; the command exits 2). */
export const trustStoreErrors = {
  E_TRUST_STORE: 'trust: {path}: {problem}',
} as const;

/** The names of `problems` in a bundle answer, each with its cfssl-style code. */
export const bundlerProblems = {
  // Uploads (engine/bundler/input/problems.ts).
  E_INPUT_DECODE: { code: 1002, message: '{source}: neither PEM nor any DER structure the bundler knows' },
  E_INPUT_PARSE: { code: 1003, message: '{source}: not a valid X.509 certificate: {problem}' },
  E_INPUT_TRUNCATED: { code: 1010, message: '{source}: the bytes end before a length they declare (a cut download, a PEM block without END)' },
  E_INPUT_TOO_LARGE: { code: 1011, message: '{source}: over the per-file cap, or all uploads over the total cap' },
  E_INPUT_UNSUPPORTED: { code: 1012, message: '{source}: a {what} is not something the bundler takes (CSR, CRL, public key, ...)' },
  E_INPUT_WORK_LIMIT: { code: 1013, message: '{source}: a bound on the work of one request was reached ({bound})' },
  E_INPUT_PASSWORD_REQUIRED: { code: 1020, message: '{source}: a PKCS#12 file that needs a password' },
  E_INPUT_WRONG_PASSWORD: { code: 1021, message: '{source}: the PKCS#12 file does not open with the password given' },
  E_KEY_DECODE: { code: 2002, message: '{source}: a key block whose base64 or structure cannot be decoded' },
  E_KEY_PARSE: { code: 2003, message: '{source}: a key structure that does not hold a valid key' },
  E_KEY_ENCRYPTED: { code: 2100, message: '{source}: an encrypted private key and no password' },
  E_KEY_WRONG_PASSWORD: { code: 2101, message: '{source}: the encrypted private key does not decrypt with the password given' },
  E_KEY_UNSUPPORTED: { code: 2200, message: '{source}: a {type} key, which the bundler does not bundle for' },
  E_KEY_MISMATCH: { code: 2300, message: "keys were given but none matches the leaf's public key" },
  // Chains (engine/bundler/chain/codes.ts: cfssl's verification reasons).
  E_SELF_SIGNED: { code: 1100, message: '{subject}: self-signed and not a trusted root' },
  E_VERIFY_FAILED: { code: 1200, message: 'no valid chain: {reason}' },
  E_NOT_AUTHORIZED_TO_SIGN: { code: 1210, message: '{subject}: not a CA, or its key usage does not allow signing certificates' },
  E_EXPIRED: { code: 1211, message: '{subject}: not valid at {time}' },
  E_NAME_CONSTRAINT: { code: 1212, message: '{subject}: outside the name constraints of {issuer}' },
  E_TOO_MANY_INTERMEDIATES: { code: 1213, message: '{subject}: path length constraint exceeded' },
  E_INCOMPATIBLE_USAGE: { code: 1214, message: '{subject}: its extended key usage does not include serverAuth' },
  E_NAME_MISMATCH: { code: 1215, message: "{subject}: its issuer name is not the next certificate's subject, or the leaf is not valid for {domain}" },
  E_CA_EKU: { code: 1219, message: '{subject}: a CA whose extended key usage does not include serverAuth' },
  E_UNKNOWN_AUTHORITY: { code: 1220, message: '{subject}: issued by {issuer}, which no trust store or upload has' },
} as const;
