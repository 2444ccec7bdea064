import { SsrfGuard } from '../../ssrf/ssrf-guard';
import { checkEndpointUrl } from './endpoint-url';

/** A guard whose verdict the test chooses, recording what it was asked. */
function guard(verdict: string | null): { guard: SsrfGuard; asked: string[] } {
  const asked: string[] = [];
  const fake = {
    checkRegistration: (url: string) => {
      asked.push(url);
      return Promise.resolve(verdict);
    },
  } as unknown as SsrfGuard;
  return { guard: fake, asked };
}

describe('endpoint URL', () => {
  it('accepts an https URL the guard accepts, normalized', async () => {
    const g = guard(null);
    expect(await checkEndpointUrl('HTTPS://Example.COM:443', g.guard)).toEqual({
      ok: true,
      url: 'https://example.com/',
    });
    expect(g.asked).toEqual(['HTTPS://Example.COM:443']);
  });

  it.each([
    ['not a url', 'absolute URL'],
    ['/relative/path', 'absolute URL'],
    ['http://example.com/hook', 'https'],
    ['ftp://example.com/', 'https'],
    ['https://example.com/hook#part', 'fragment'],
    [`https://example.com/${'a'.repeat(2048)}`, 'at most 2048'],
  ])('refuses %j before asking the guard', async (url, reason) => {
    const g = guard(null);
    expect(await checkEndpointUrl(url, g.guard)).toEqual({
      ok: false,
      problem: { field: 'url', reason: expect.stringContaining(reason) },
    });
    expect(g.asked).toEqual([]);
  });

  it('passes on the reason the guard refuses with', async () => {
    const g = guard('10.0.0.1 is a private address');
    expect(await checkEndpointUrl('https://10.0.0.1/', g.guard)).toEqual({
      ok: false,
      problem: { field: 'url', reason: '10.0.0.1 is a private address' },
    });
  });
});
