/**
 * Signing secrets of new endpoints and rotations. For the HMAC schemes the secret shown
 * to the integrator is also the signing key: `whsec_` + base64 of 32 CSPRNG bytes, which
 * is the Standard Webhooks format as well. For `standard-webhooks-ed25519` the
 * integrator gets the public key (`whpk_…`) and Herald keeps the private key (`whsk_…`).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { SigningScheme } from '../endpoints/endpoint';

export interface EndpointSecret {
  /** Returned once, in the create or rotate response. */
  shown: string;
  /** Stored sealed; what the signer uses. */
  signing: string;
}

export function generateEndpointSecret(scheme: SigningScheme): EndpointSecret {
  if (scheme === 'standard-webhooks-ed25519') {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const priv = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
    return { shown: `whpk_${pub.toString('base64')}`, signing: `whsk_${priv.toString('base64')}` };
  }
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  return { shown: secret, signing: secret };
}
