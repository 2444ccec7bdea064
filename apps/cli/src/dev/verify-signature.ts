/**
 * The receiver side of `Mobieus-Signature` (DESIGN.md §7, scheme `mobieus-v1`), as an
 * integrator would write it: parse `t=<unix seconds>,v1=<hex>[,v1_prev=<hex>]`, refuse a
 * timestamp more than five minutes off (replays), recompute
 * `hex(HMAC-SHA256(secret, t + "." + raw body))` and compare in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

export function verifyMobieusSignature(
  secret: string,
  header: string | undefined,
  rawBody: Buffer,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { valid: false, reason: 'no Mobieus-Signature header' };
  let timestamp: string | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0) return { valid: false, reason: 'malformed Mobieus-Signature header' };
    if (name === 't') timestamp = value;
    // A receiver holds one secret: it may match the new key's v1 or, mid-rotation, v1_prev.
    else if (name === 'v1' || name === 'v1_prev') candidates.push(value);
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp))
    return { valid: false, reason: 'no timestamp (t=) in Mobieus-Signature' };
  if (candidates.length === 0) return { valid: false, reason: 'no v1 signature in Mobieus-Signature' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS)
    return { valid: false, reason: 'timestamp outside the 5-minute tolerance' };

  const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.`, 'utf8')
    .update(rawBody)
    .digest();
  for (const candidate of candidates) {
    if (!/^[0-9a-fA-F]{64}$/.test(candidate)) continue;
    if (timingSafeEqual(Buffer.from(candidate, 'hex'), expected)) return { valid: true };
  }
  return { valid: false, reason: 'signature does not match' };
}
