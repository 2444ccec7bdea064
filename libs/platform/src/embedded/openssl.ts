/**
 * The openssl CLI, for throwaway certificates on a developer's machine (the `herald dev`
 * demo receiver, test and bench receivers). Never on a production path.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Runs openssl; a failure throws with the first line openssl printed. */
export function openssl(args: string[]): void {
  const res = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  if (res.error) throw new Error(`cannot run openssl (${res.error.message}); install the openssl CLI`);
  if (res.status !== 0) {
    const why = res.stderr.trim().split('\n')[0] ?? `exit ${res.status}`;
    throw new Error(`openssl ${args[0]} failed: ${why}`);
  }
}

/** An unencrypted P-256 key in PKCS#8 PEM, the form servers and createPrivateKey take without hints. */
export function generateP256Key(file: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}

/** Writes an openssl config or extensions file and returns its path. */
export function writeConfigFile(dir: string, name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/**
 * A self-signed P-256 certificate for 127.0.0.1, valid one day, written as
 * `<dir>/receiver.crt` and `<dir>/receiver.key`: a loopback HTTPS receiver's, and the CA
 * file the dispatchers that call it trust (bench and reliability-suite receivers).
 */
export function selfSignedLoopbackCertificate(
  dir: string,
  commonName: string,
): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'receiver.crt');
  const keyFile = path.join(dir, 'receiver.key');
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  return { certFile, keyFile };
}
