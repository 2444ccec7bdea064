/**
 * The TLS material the HTTP server presents (HERALD_TLS_CERT / HERALD_TLS_KEY). Read and
 * checked at boot so a missing file, a wrong format or a key of another certificate stops
 * the process with one line instead of failing at the first handshake.
 */
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';

export interface TlsMaterial {
  certFile: string;
  keyFile: string;
  /** PEM: the server certificate, optionally followed by its intermediates. */
  cert: string;
  /** PEM private key (unencrypted). */
  key: string;
}

/** Thrown with an operator-facing one-line reason; the config loader rewraps it. */
export class TlsMaterialError extends Error {}

export function loadTlsMaterial(certFile: string, keyFile: string): TlsMaterial {
  const cert = readPem(certFile, 'HERALD_TLS_CERT');
  const key = readPem(keyFile, 'HERALD_TLS_KEY');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsMaterialError(`HERALD_TLS_CERT must be a PEM certificate (${certFile} is not)`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsMaterialError(
      `HERALD_TLS_KEY must be an unencrypted PEM private key (${keyFile} is not, or needs a passphrase)`,
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsMaterialError(
      `HERALD_TLS_KEY (${keyFile}) does not belong to the certificate in HERALD_TLS_CERT (${certFile})`,
    );
  }
  return { certFile, keyFile, cert, key };
}

function readPem(file: string, name: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new TlsMaterialError(`${name}: cannot read ${file} (${code})`);
  }
}
