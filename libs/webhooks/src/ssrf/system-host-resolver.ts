/** The production HostResolver: the operating system's resolver (getaddrinfo), every address it returns. */
import { lookup } from 'node:dns/promises';
import type { HostResolver } from './ssrf-guard';

export class SystemHostResolver implements HostResolver {
  async resolve(hostname: string): Promise<string[]> {
    const found = await lookup(hostname, { all: true, verbatim: true });
    return found.map((a) => a.address);
  }
}
