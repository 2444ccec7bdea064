/** The system resolver returns every address, so the guard can judge all of them. */
import { SystemHostResolver } from './system-host-resolver';

describe('SystemHostResolver', () => {
  const resolver = new SystemHostResolver();

  it('returns literals as themselves, without a DNS query', async () => {
    await expect(resolver.resolve('127.0.0.1')).resolves.toEqual(['127.0.0.1']);
    await expect(resolver.resolve('::1')).resolves.toEqual(['::1']);
  });

  it('rejects a name that cannot exist (offline machines answer EAI_AGAIN)', async () => {
    await expect(resolver.resolve('no-such-host.invalid')).rejects.toMatchObject({
      code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN|EAI_FAIL)$/),
    });
  });
});
