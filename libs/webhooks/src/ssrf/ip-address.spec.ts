/** The address parsers agree with the WHATWG URL parser on every IPv4 spelling, and round-trip IPv6. */
import { formatIp, parseIpLiteral, parseIpv4Loose, parseIpv6, sameAddress } from './ip-address';

const v4 = (bytes: Uint8Array | null) => (bytes ? formatIp(bytes) : null);

describe('parseIpv4Loose', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['127.0.0.01', '127.0.0.1'],
    ['0x7f.0x0.0x0.0x1', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['10.1', '10.0.0.1'],
    ['3232235777', '192.168.1.1'],
    ['0xa9.0xfe.0xa9.0xfe', '169.254.169.254'],
    ['0251.0376.0251.0376', '169.254.169.254'],
    ['2852039166', '169.254.169.254'],
    ['4294967295', '255.255.255.255'],
    ['93.184.216.34', '93.184.216.34'],
  ])('reads %s as %s, exactly as new URL() does', (text, expected) => {
    expect(v4(parseIpv4Loose(text))).toBe(expected);
    expect(new URL(`https://${text}/`).hostname).toBe(expected);
  });

  it.each([
    '4294967296',
    '256.0.0.1',
    '1.2.3.4.5',
    '08.0.0.1',
    '0x1g',
    '1..2',
    '',
    'example.com',
    '127.0.0.1..',
  ])('does not read %j as an address', (text) => {
    expect(parseIpv4Loose(text)).toBeNull();
  });
});

describe('parseIpv6 and formatIp', () => {
  it.each([
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::', '::'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['::127.0.0.1', '::7f00:1'],
    ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
    ['2606:4700:0:0:0:0:0:1111', '2606:4700::1111'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ])('parses %s and writes it as %s', (text, canonical) => {
    const bytes = parseIpv6(text);
    expect(bytes).toHaveLength(16);
    expect(formatIp(bytes!)).toBe(canonical);
  });

  it.each(['1.2.3.4', '::ffff:01.2.3.4', ':::1', '1:2:3:4:5:6:7:8:9', 'g::1', 'localhost'])(
    'refuses %j',
    (text) => {
      expect(parseIpv6(text)).toBeNull();
    },
  );

  it('accepts only plain dotted quads as IPv4 literals (what resolvers return)', () => {
    expect(parseIpLiteral('10.0.0.1')).toEqual(Uint8Array.from([10, 0, 0, 1]));
    expect(parseIpLiteral('010.0.0.1')).toBeNull();
    expect(parseIpLiteral('2130706433')).toBeNull();
  });
});

describe('sameAddress', () => {
  it('treats an IPv4-mapped address as its IPv4 and compares IPv6 by value', () => {
    expect(sameAddress('::ffff:127.0.0.1', '127.0.0.1')).toBe(true);
    expect(sameAddress('0:0::1', '::1')).toBe(true);
    expect(sameAddress('127.0.0.2', '127.0.0.1')).toBe(false);
    expect(sameAddress(undefined, '127.0.0.1')).toBe(false);
  });
});
