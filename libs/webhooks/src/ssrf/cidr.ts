/** CIDR blocks over address bytes, for the forbidden ranges and the operator's allow list. */
import { IpBytes, parseIpLiteral } from './ip-address';

export interface Cidr {
  readonly network: IpBytes;
  readonly bits: number;
}

/** `10.0.0.0/8`, `::1/128`; a bare address is a single-address block. Throws when malformed. */
export function parseCidr(text: string): Cidr {
  const [addr = '', bits, extra] = text.trim().split('/');
  const network = parseIpLiteral(addr);
  const max = network ? network.length * 8 : 0;
  const n = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!network || extra !== undefined || !(n >= 0 && n <= max)) {
    throw new Error(`invalid CIDR ${JSON.stringify(text)}`);
  }
  return { network, bits: n };
}

export function cidrContains(cidr: Cidr, addr: IpBytes): boolean {
  if (cidr.network.length !== addr.length) return false;
  const whole = Math.floor(cidr.bits / 8);
  for (let i = 0; i < whole; i += 1) if (cidr.network[i] !== addr[i]) return false;
  const rest = cidr.bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((cidr.network[whole] ?? 0) & mask) === ((addr[whole] ?? 0) & mask);
}
