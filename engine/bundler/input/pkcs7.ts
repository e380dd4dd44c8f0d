// Certificates from a PKCS#7 / CMS SignedData (RFC 5652 §5), as `openssl crl2pkcs7 -nocrl` and
// Windows' .p7b/.p7c export write them. Signatures and CRLs in it are not looked at.
import { TAG, children, expectTag, whole, type Tlv } from '../der.ts';

export interface Pkcs7Contents {
  /** Each certificate's exact original bytes, in the order of the file. */
  certificates: Buffer[];
  /** CertificateChoices other than a plain certificate (attribute certificates, "other"). */
  skipped: number;
}

/** `top` is a ContentInfo already known to be SignedData (detectDer). Throws DerError. */
export function readPkcs7(buf: Uint8Array, top: Tlv): Pkcs7Contents {
  const [, explicit] = children(buf, top);
  const signedData = expectTag(children(buf, expectTag(explicit, TAG.context0, 'the SignedData content'))[0], TAG.sequence, 'SignedData');
  // version, digestAlgorithms, encapContentInfo, [0] IMPLICIT certificates OPTIONAL, ...
  const certificatesField = children(buf, signedData)
    .slice(3)
    .find((part) => part.tag === TAG.context0);
  const out: Pkcs7Contents = { certificates: [], skipped: 0 };
  if (!certificatesField) return out;
  for (const choice of children(buf, certificatesField)) {
    if (choice.tag === TAG.sequence) out.certificates.push(whole(buf, choice));
    else out.skipped++;
  }
  return out;
}
