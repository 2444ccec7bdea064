/**
 * A throwaway certificate authority for tests that speak real TLS: the gateway serving
 * HTTPS, and webhook receivers the dispatcher dials over HTTPS. Keys and certificates are
 * made with the openssl CLI (EC P-256, valid two days) in a temp dir; clients trust the
 * CA through `ca`, never by turning verification off. The dir is not named `herald-test-*`:
 * the integration setup reaps those when their owner is gone.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generateP256Key, openssl, writeConfigFile } from '@herald/platform';

export interface IssuedCert {
  certFile: string;
  keyFile: string;
  /** PEM */
  cert: string;
  /** PEM */
  key: string;
}

export interface TestCa {
  dir: string;
  /** The CA certificate (PEM), to pass as `ca` to clients. */
  cert: string;
  certFile: string;
  /** A leaf certificate signed by this CA for the given DNS names and IP addresses. */
  issue(opts?: { name?: string; dns?: string[]; ips?: string[]; days?: number }): IssuedCert;
  /** Removes the temp dir with every key in it. */
  dispose(): void;
}

/** Names a local test server answers to: localhost, tenant subdomains used by the tests, loopback IPs. */
export const LOCAL_DNS = ['localhost', 'dev.localhost', 'support.localhost', 'receiver.localhost'];
export const LOCAL_IPS = ['127.0.0.1', '::1'];

export function createTestCa(commonName = 'Herald Test CA'): TestCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-ca-'));
  const caKey = path.join(dir, 'ca.key');
  const caCert = path.join(dir, 'ca.crt');
  const caExt = writeConfigFile(dir, 'ca.ext', [
    '[req]',
    'distinguished_name = dn',
    'x509_extensions = v3_ca',
    '[dn]',
    '[v3_ca]',
    'basicConstraints = critical, CA:TRUE, pathlen:0',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
  ]);
  generateP256Key(caKey);
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    caKey,
    '-sha256',
    '-days',
    '2',
    '-subj',
    `/CN=${commonName}`,
    '-config',
    caExt,
    '-out',
    caCert,
  ]);
  let serial = 0;

  return {
    dir,
    cert: fs.readFileSync(caCert, 'utf8'),
    certFile: caCert,
    issue(opts = {}) {
      serial += 1;
      const name = opts.name ?? `server-${serial}`;
      const dns = opts.dns ?? LOCAL_DNS;
      const ips = opts.ips ?? LOCAL_IPS;
      const keyFile = path.join(dir, `${name}.key`);
      const csr = path.join(dir, `${name}.csr`);
      const certFile = path.join(dir, `${name}.crt`);
      const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((ip) => `IP:${ip}`)].join(', ');
      const ext = writeConfigFile(dir, `${name}.ext`, [
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = serverAuth',
        `subjectAltName = ${san}`,
      ]);
      generateP256Key(keyFile);
      openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${dns[0] ?? ips[0] ?? name}`, '-out', csr]);
      openssl([
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-set_serial',
        `0x${randomBytes(8).toString('hex')}`,
        '-days',
        String(opts.days ?? 2),
        '-sha256',
        '-extfile',
        ext,
        '-out',
        certFile,
      ]);
      return {
        certFile,
        keyFile,
        cert: fs.readFileSync(certFile, 'utf8'),
        key: fs.readFileSync(keyFile, 'utf8'),
      };
    },
    dispose() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface HttpsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The TLS version the connection settled on, e.g. TLSv1.3. */
  tlsVersion: string | null;
}

/**
 * One HTTPS request that verifies the server against `ca`. `servername` (SNI and the name
 * checked against the certificate) is separate from the Host header, so a test can dial
 * 127.0.0.1 and still address a tenant (`Host: support.localhost:<port>`).
 */
export function httpsRequest(
  url: string,
  opts: {
    ca: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    servername?: string;
  },
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        ca: opts.ca,
        servername: opts.servername ?? 'localhost',
        agent: false,
      },
      (res) => {
        const tlsVersion = (res.socket as TLSSocket).getProtocol() ?? null;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            tlsVersion,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
