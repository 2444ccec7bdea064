/**
 * SSRF guard (DESIGN.md §7): at registration, the URL and every address its host
 * resolves to; at connect time, the very address dialled. Operators may allow CIDRs
 * (`HERALD_WEBHOOK_ALLOW_CIDRS`) so dev and test reach loopback receivers.
 */
import type { SecureContext } from 'node:tls';
import { buildConnector } from 'undici';
import type buildConnectorTypes from 'undici/types/connector';
import { AddressPolicy } from './address-policy';
import { formatIp, IpBytes, parseIpLiteral, sameAddress } from './ip-address';
import { nameRefusal, parseHost } from './parse-host';
import { parseWebhookUrl } from './url-policy';

/** Resolves a host name to IP address strings (a port, so tests can make a name rebind). */
export interface HostResolver {
  resolve(hostname: string): Promise<string[]>;
}

export const HOST_RESOLVER = Symbol('HOST_RESOLVER');

/** A connection refused by the guard; the message starts with `ssrf:`. */
export class SsrfRefusedError extends Error {
  readonly code = 'ERR_SSRF_REFUSED';
  constructor(reason: string) {
    super(`ssrf: ${reason}`);
    this.name = 'SsrfRefusedError';
  }
}

/** Where to dial: the checked address, and the name TLS must verify (none for IP literals). */
interface Target {
  ip: string;
  servername?: string;
}

export class SsrfGuard {
  private readonly policy: AddressPolicy;

  constructor(
    readonly allowCidrs: readonly string[],
    private readonly resolver: HostResolver,
  ) {
    this.policy = new AddressPolicy(allowCidrs);
  }

  /** Null when the URL may be registered, else the reason (one sentence). */
  async checkRegistration(rawUrl: string): Promise<string | null> {
    const parsed = parseWebhookUrl(rawUrl);
    if ('reason' in parsed) return parsed.reason;
    const host = parseHost(parsed.url.hostname);
    if (host.kind === 'invalid') return host.reason;
    if (host.kind === 'ip') return this.addressReason(host.address);
    const refused = nameRefusal(host.name);
    if (refused) return refused;
    const addresses = await this.resolver.resolve(host.name).catch(() => []);
    if (addresses.length === 0) return `host ${host.name} does not resolve`;
    // Every address must pass: the connector may later be handed any of them.
    for (const text of addresses) {
      const address = parseIpLiteral(text);
      if (!address)
        return `host ${host.name} resolves to ${JSON.stringify(text)}, which is not an IP address`;
      const why = this.policy.refusal(address);
      if (why) return `host ${host.name} resolves to ${formatIp(address)}, which ${why}`;
    }
    return null;
  }

  /** An undici connector that resolves, refuses a forbidden address, and dials the address it checked. */
  connector(tls: { ca?: string[]; secureContext?: SecureContext }): buildConnectorTypes.connector {
    const dial = buildConnector({
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.secureContext ? { secureContext: tls.secureContext } : {}),
    });
    return (opts, callback) => {
      const fail = (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null);
      this.target(opts.protocol, opts.hostname).then((target) => {
        try {
          dialChecked(dial, opts, target, callback);
        } catch (err) {
          fail(err);
        }
      }, fail);
    };
  }

  private async target(protocol: string, hostname: string): Promise<Target> {
    if (protocol !== 'https:') throw new SsrfRefusedError(`only https is allowed, not ${protocol}`);
    const host = parseHost(hostname);
    if (host.kind === 'invalid') throw new SsrfRefusedError(host.reason);
    if (host.kind === 'ip') {
      const why = this.policy.refusal(host.address);
      if (why) throw new SsrfRefusedError(`${formatIp(host.address)} ${why}`);
      return { ip: formatIp(host.address) };
    }
    const refused = nameRefusal(host.name);
    if (refused) throw new SsrfRefusedError(refused);
    const addresses = await this.resolver.resolve(host.name);
    if (addresses.length === 0) throw new SsrfRefusedError(`host ${host.name} does not resolve`);
    const refusals: string[] = [];
    for (const text of addresses) {
      const address = parseIpLiteral(text);
      const why = address ? this.policy.refusal(address) : 'is not an IP address';
      if (!why && address) return { ip: formatIp(address), servername: host.name };
      refusals.push(`${address ? formatIp(address) : JSON.stringify(text)} ${why}`);
    }
    throw new SsrfRefusedError(refusals.join('; '));
  }

  private addressReason(address: IpBytes): string | null {
    const why = this.policy.refusal(address);
    return why && `address ${formatIp(address)} ${why}`;
  }
}

/**
 * Dials the checked address; `host` is dropped so undici cannot derive a server name from
 * it: TLS verifies the certificate against the checked name, or against the IP for a literal.
 */
function dialChecked(
  dial: buildConnectorTypes.connector,
  opts: buildConnectorTypes.Options,
  target: Target,
  callback: buildConnectorTypes.Callback,
): void {
  dial({ ...opts, hostname: target.ip, host: undefined, servername: target.servername }, (...args) => {
    const [err, socket] = args;
    if (err) return callback(err, null);
    // Belt and braces: the socket must really be connected to the address that was checked.
    if (!sameAddress(socket.remoteAddress, target.ip)) {
      socket.destroy();
      return callback(new SsrfRefusedError(`connected to ${socket.remoteAddress}, not ${target.ip}`), null);
    }
    callback(null, socket);
  });
}
