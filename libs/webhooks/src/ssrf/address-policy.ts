/**
 * Which IP addresses a webhook may be dialled at (DESIGN.md §7): everything that is not
 * publicly routable is refused, and IPv6 forms that carry an IPv4 address are judged by
 * that address. Operator-allowed CIDRs win over these rules (dev and test receivers).
 */
import { Cidr, cidrContains, parseCidr } from './cidr';
import { formatIp, IpBytes } from './ip-address';

interface Rule {
  cidr: Cidr;
  /** Completes "address X …". */
  says: string;
}

const rules = (table: [string, string][]): Rule[] =>
  table.map(([cidr, says]) => ({ cidr: parseCidr(cidr), says }));

// First match wins, so the narrow metadata and broadcast entries sit before their wider ranges.
const IPV4_RULES = rules([
  ['0.0.0.0/8', 'is in 0.0.0.0/8 ("this network")'],
  ['10.0.0.0/8', 'is private (RFC 1918)'],
  ['100.64.0.0/10', 'is shared address space (carrier-grade NAT, 100.64.0.0/10)'],
  ['127.0.0.0/8', 'is loopback'],
  ['169.254.169.254/32', 'is link-local (the cloud metadata service)'],
  ['169.254.0.0/16', 'is link-local'],
  ['172.16.0.0/12', 'is private (RFC 1918)'],
  ['192.0.0.0/24', 'is reserved (IETF protocol assignments, 192.0.0.0/24)'],
  ['192.0.2.0/24', 'is reserved for documentation'],
  ['192.88.99.0/24', 'is reserved (former 6to4 relay anycast)'],
  ['192.168.0.0/16', 'is private (RFC 1918)'],
  ['198.18.0.0/15', 'is reserved for benchmarking (198.18.0.0/15)'],
  ['198.51.100.0/24', 'is reserved for documentation'],
  ['203.0.113.0/24', 'is reserved for documentation'],
  ['224.0.0.0/4', 'is multicast'],
  ['255.255.255.255/32', 'is broadcast'],
  ['240.0.0.0/4', 'is reserved (240.0.0.0/4)'],
]);

const IPV6_EXACT = rules([
  ['::1/128', 'is loopback'],
  ['::/128', 'is unspecified'],
]);

/** IPv6 ranges that carry an IPv4 address, and where it sits. */
const EMBEDDING: { cidr: Cidr; name: string; offset: number }[] = [
  { cidr: parseCidr('::ffff:0:0/96'), name: 'IPv4-mapped', offset: 12 },
  { cidr: parseCidr('::/96'), name: 'IPv4-compatible', offset: 12 },
  { cidr: parseCidr('64:ff9b::/96'), name: 'NAT64', offset: 12 },
  { cidr: parseCidr('2002::/16'), name: '6to4', offset: 2 },
];

const IPV6_RULES = rules([
  ['64:ff9b:1::/48', 'is reserved (local-use NAT64)'],
  ['fc00::/7', 'is a unique local address (fc00::/7)'],
  ['fe80::/10', 'is link-local'],
  ['ff00::/8', 'is multicast'],
  ['2001::/23', 'is reserved (IETF protocol assignments, incl. Teredo)'],
  ['2001:db8::/32', 'is reserved for documentation'],
  ['3fff::/20', 'is reserved for documentation'],
]);

// Only 2000::/3 is allocated for global unicast; the rest of the space is reserved.
const GLOBAL_UNICAST = parseCidr('2000::/3');

export class AddressPolicy {
  private readonly allowed: Cidr[];

  constructor(allowCidrs: readonly string[]) {
    this.allowed = allowCidrs.map(parseCidr);
  }

  /** Null when the address may be dialled, else what is wrong with it (`is loopback`). */
  refusal(addr: IpBytes): string | null {
    if (this.allowed.some((c) => cidrContains(c, addr))) return null;
    if (addr.length === 4) return match(IPV4_RULES, addr);
    const exact = match(IPV6_EXACT, addr);
    if (exact) return exact;
    const embedding = EMBEDDING.find((e) => cidrContains(e.cidr, addr));
    if (embedding) {
      const v4 = addr.slice(embedding.offset, embedding.offset + 4);
      // A mapped address is the same socket destination as its IPv4, so the allow list applies to it.
      const inner = embedding.name === 'IPv4-mapped' ? this.refusal(v4) : match(IPV4_RULES, v4);
      return inner && `embeds ${formatIp(v4)} (${embedding.name}), which ${inner}`;
    }
    const v6 = match(IPV6_RULES, addr);
    if (v6) return v6;
    return cidrContains(GLOBAL_UNICAST, addr) ? null : 'is reserved (outside global unicast 2000::/3)';
  }
}

function match(table: Rule[], addr: IpBytes): string | null {
  return table.find((r) => cidrContains(r.cidr, addr))?.says ?? null;
}
