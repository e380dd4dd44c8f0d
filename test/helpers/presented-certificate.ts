// The certificate a TLS server presents, as PEM, read without trusting it (what a pinning client checks).
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';

export function presentedCertificate(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false }, () => {
      resolve(new X509Certificate(socket.getPeerCertificate().raw).toString());
      socket.end();
    });
    socket.on('error', reject);
  });
}
