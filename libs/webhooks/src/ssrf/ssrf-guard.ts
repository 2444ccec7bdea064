/**
 * SSRF guard (DESIGN.md §7): at registration, the URL and every address its host
 * resolves to; at connect time, the very address dialled. Operators may allow exact
 * origins (`HERALD_WEBHOOK_ALLOW_ORIGINS`: one host and port each, what `herald dev` uses
 * for its demo receiver) or whole CIDRs (`HERALD_WEBHOOK_ALLOW_CIDRS`) so dev and test
 * reach loopback receivers.
 */
import type { SecureContext } from 'node:tls';
import { buildConnector } from 'undici';
import type buildConnectorTypes from 'undici/types/connector';
import { AddressPolicy } from './address-policy';
import { AllowedOrigin, effectivePort, matchOrigin, parseAllowedOrigin } from './allowed-origin';
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
  port: number;
  servername?: string;
}

export class SsrfGuard {
  private readonly policy: AddressPolicy;
  private readonly origins: AllowedOrigin[];

  /** `allowOrigins`: exact origins such as `https://127.0.0.1:8443`; throws when one is malformed. */
  constructor(
    readonly allowCidrs: readonly string[],
    private readonly resolver: HostResolver,
    readonly allowOrigins: readonly string[] = [],
  ) {
    this.policy = new AddressPolicy(allowCidrs);
    this.origins = allowOrigins.map(parseAllowedOrigin);
  }

  /** Null when the URL may be registered, else the reason (one sentence). */
  async checkRegistration(rawUrl: string): Promise<string | null> {
    const parsed = parseWebhookUrl(rawUrl);
    if ('reason' in parsed) return parsed.reason;
    const host = parseHost(parsed.url.hostname);
    if (host.kind === 'invalid') return host.reason;
    if (matchOrigin(this.origins, host, effectivePort(parsed.url.port))) return null;
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
      this.target(opts.protocol, opts.hostname, effectivePort(opts.port)).then((target) => {
        try {
          dialChecked(dial, opts, target, callback);
        } catch (err) {
          fail(err);
        }
      }, fail);
    };
  }

  private async target(protocol: string, hostname: string, port: number): Promise<Target> {
    if (protocol !== 'https:') throw new SsrfRefusedError(`only https is allowed, not ${protocol}`);
    const host = parseHost(hostname);
    if (host.kind === 'invalid') throw new SsrfRefusedError(host.reason);
    const origin = matchOrigin(this.origins, host, port);
    if (host.kind === 'ip') {
      const why = origin ? null : this.policy.refusal(host.address);
      if (why) throw new SsrfRefusedError(`${formatIp(host.address)} ${why}`);
      return { ip: formatIp(host.address), port };
    }
    const refused = origin ? null : nameRefusal(host.name);
    if (refused) throw new SsrfRefusedError(refused);
    const addresses = await this.resolver.resolve(host.name);
    if (addresses.length === 0) throw new SsrfRefusedError(`host ${host.name} does not resolve`);
    const refusals: string[] = [];
    for (const text of addresses) {
      const address = parseIpLiteral(text);
      // An allowed name origin is trusted to resolve wherever it points; any other name is not.
      const why = !address ? 'is not an IP address' : origin ? null : this.policy.refusal(address);
      if (!why && address) return { ip: formatIp(address), port, servername: host.name };
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
  const dialled = { ...opts, hostname: target.ip, host: undefined, port: String(target.port) };
  dial({ ...dialled, servername: target.servername }, (...args) => {
    const [err, socket] = args;
    if (err) return callback(err, null);
    // Belt and braces: the socket must really be connected to the address and port that were checked.
    if (!sameAddress(socket.remoteAddress, target.ip) || socket.remotePort !== target.port) {
      socket.destroy();
      const got = `${socket.remoteAddress}:${socket.remotePort}`;
      return callback(new SsrfRefusedError(`connected to ${got}, not ${target.ip}:${target.port}`), null);
    }
    callback(null, socket);
  });
}
