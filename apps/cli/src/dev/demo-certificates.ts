/**
 * The demo receiver's TLS material: a throwaway CA and one leaf certificate for
 * 127.0.0.1 and localhost, made with the openssl CLI into
 * `$HERALD_DATA_DIR/demo-receiver/`. Reused across starts while valid; made again when
 * a file is missing, unreadable, expired or about to expire. The CA key is deleted as soon
 * as the leaf is signed, so trusting this CA trusts that one certificate and nothing else.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateP256Key, openssl, writeConfigFile } from '@herald/platform';

export const DEMO_CERT_DAYS = 30;
/** A certificate this close to its end is replaced at start rather than left to expire mid-run. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;
/** openssl starts validity at the second it signs, which may be just after the check's `now`. */
const CLOCK_SLACK_MS = 5 * 60 * 1000;

export const RECEIVER_HOST = '127.0.0.1';

export interface DemoCertificates {
  /** The CA certificate clients (the dispatcher, curl --cacert) trust. */
  caFile: string;
  certFile: string;
  keyFile: string;
  /** PEM */
  cert: string;
  /** PEM */
  key: string;
  /** True when this call made them. */
  generated: boolean;
  notAfter: Date;
}

export function ensureDemoCertificates(dir: string): DemoCertificates {
  const files = {
    caFile: path.join(dir, 'ca.crt'),
    certFile: path.join(dir, 'receiver.crt'),
    keyFile: path.join(dir, 'receiver.key'),
  };
  const existing = readValid(files, new Date());
  if (existing) return { ...files, ...existing, generated: false };
  generate(dir, files);
  const made = readValid(files, new Date());
  if (!made) throw new Error('openssl made a demo receiver certificate that does not verify');
  return { ...files, ...made, generated: true };
}

interface Files {
  caFile: string;
  certFile: string;
  keyFile: string;
}

function readValid(files: Files, now: Date): { cert: string; key: string; notAfter: Date } | undefined {
  try {
    const ca = new X509Certificate(fs.readFileSync(files.caFile));
    const certPem = fs.readFileSync(files.certFile, 'utf8');
    const keyPem = fs.readFileSync(files.keyFile, 'utf8');
    const leaf = new X509Certificate(certPem);
    const notAfter = new Date(Math.min(Date.parse(leaf.validTo), Date.parse(ca.validTo)));
    const usable =
      ca.ca &&
      leaf.checkIssued(ca) &&
      leaf.verify(ca.publicKey) &&
      leaf.checkPrivateKey(createPrivateKey(keyPem)) &&
      leaf.checkIP(RECEIVER_HOST) !== undefined &&
      Date.parse(leaf.validFrom) <= now.getTime() + CLOCK_SLACK_MS &&
      notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS;
    return usable ? { cert: certPem, key: keyPem, notAfter } : undefined;
  } catch {
    return undefined;
  }
}

function generate(dir: string, files: Files): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const work = fs.mkdtempSync(path.join(dir, '.new-'));
  try {
    const caKey = path.join(work, 'ca.key');
    const caCert = path.join(work, 'ca.crt');
    const leafKey = path.join(work, 'receiver.key');
    const csr = path.join(work, 'receiver.csr');
    const leafCert = path.join(work, 'receiver.crt');
    const caConf = writeConfigFile(work, 'ca.cnf', [
      '[req]',
      'distinguished_name = dn',
      'x509_extensions = v3_ca',
      '[dn]',
      '[v3_ca]',
      'basicConstraints = critical, CA:TRUE, pathlen:0',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
    ]);
    const leafExt = writeConfigFile(work, 'receiver.ext', [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = IP:${RECEIVER_HOST}, DNS:localhost`,
    ]);
    const days = String(DEMO_CERT_DAYS);
    generateP256Key(caKey);
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      caKey,
      '-sha256',
      '-days',
      days,
      '-subj',
      '/CN=Herald dev demo receiver CA (throwaway)',
      '-config',
      caConf,
      '-out',
      caCert,
    ]);
    generateP256Key(leafKey);
    openssl(['req', '-new', '-key', leafKey, '-subj', `/CN=${RECEIVER_HOST}`, '-out', csr]);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caCert,
      '-CAkey',
      caKey,
      '-sha256',
      '-days',
      days,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-extfile',
      leafExt,
      '-out',
      leafCert,
    ]);
    fs.chmodSync(leafKey, 0o600);
    // The leaf first: a start interrupted here leaves a pair that fails readValid, and is redone.
    fs.renameSync(leafKey, files.keyFile);
    fs.renameSync(leafCert, files.certFile);
    fs.renameSync(caCert, files.caFile);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
