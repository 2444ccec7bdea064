/**
 * Development secrets: `herald dev` generates the master key and service token once
 * into the data dir (0600) when they are not configured. Production never does this.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DevSecrets {
  masterKey: Buffer;
  serviceToken: string;
  /** True when this call generated them (the token is printed once, then). */
  generated: boolean;
}

export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, 'secrets.json');
  if (fs.existsSync(file)) {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { master_key: string; service_token: string };
    return {
      masterKey: Buffer.from(raw.master_key, 'base64'),
      serviceToken: raw.service_token,
      generated: false,
    };
  }
  const masterKey = randomBytes(32);
  const serviceToken = `hst_${randomBytes(32).toString('base64url')}`;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify({ master_key: masterKey.toString('base64'), service_token: serviceToken }) + '\n',
    {
      mode: 0o600,
    },
  );
  return { masterKey, serviceToken, generated: true };
}
