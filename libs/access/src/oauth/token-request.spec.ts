import { grantedScopes, readTokenRequest } from './token-request';
import { OAuthError } from './oauth-errors';

const ID = 'client_01JG5K8HW2X4A8Q3M1T6KQ7BWP';
const SECRET = 'mc_cs_' + 'a'.repeat(43);
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function refusal(
  form: string | undefined,
  authorization?: string,
): Pick<OAuthError, 'status' | 'basicChallenge'> & { error: string } {
  try {
    readTokenRequest(form, authorization);
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    return { error: err.body().error, status: err.status, basicChallenge: err.basicChallenge };
  }
  throw new Error('accepted');
}

describe('readTokenRequest', () => {
  it('reads client_secret_basic, with form-encoded credentials', () => {
    expect(readTokenRequest('grant_type=client_credentials', basic(ID, 'a b+c'))).toEqual({
      clientId: ID,
      clientSecret: 'a b+c',
      method: 'client_secret_basic',
      scopes: undefined,
    });
  });

  it('reads client_secret_post and the requested scopes, once each', () => {
    const form = `grant_type=client_credentials&client_id=${ID}&client_secret=${SECRET}&scope=events:read+users:read+events:read`;
    expect(readTokenRequest(form, undefined)).toEqual({
      clientId: ID,
      clientSecret: SECRET,
      method: 'client_secret_post',
      scopes: ['events:read', 'users:read'],
    });
  });

  it('takes an empty scope as none requested, and ignores unknown parameters', () => {
    expect(
      readTokenRequest('grant_type=client_credentials&scope=&foo=1', basic(ID, SECRET)).scopes,
    ).toBeUndefined();
  });

  it.each([
    ['no form body', undefined, undefined, 'invalid_request', 400],
    ['no grant_type', 'scope=events:read', basic(ID, SECRET), 'invalid_request', 400],
    ['another grant', 'grant_type=password', basic(ID, SECRET), 'unsupported_grant_type', 400],
    [
      'a repeated parameter',
      'grant_type=client_credentials&scope=a&scope=b',
      basic(ID, SECRET),
      'invalid_request',
      400,
    ],
    [
      'NUL in a parameter',
      'grant_type=client_credentials&client_id=a%00&client_secret=b',
      undefined,
      'invalid_request',
      400,
    ],
    [
      'an unknown scope',
      'grant_type=client_credentials&scope=events:write',
      basic(ID, SECRET),
      'invalid_scope',
      400,
    ],
    ['no client authentication', 'grant_type=client_credentials', undefined, 'invalid_client', 401],
    ['only a client id', `grant_type=client_credentials&client_id=${ID}`, undefined, 'invalid_client', 401],
    ['a bearer header', 'grant_type=client_credentials', 'Bearer x', 'invalid_client', 401],
    [
      'Basic without a colon',
      'grant_type=client_credentials',
      `Basic ${Buffer.from('abc').toString('base64')}`,
      'invalid_client',
      401,
    ],
    ['Basic that is not base64', 'grant_type=client_credentials', 'Basic ***', 'invalid_client', 401],
    [
      'Basic with bad escapes',
      'grant_type=client_credentials',
      `Basic ${Buffer.from('%zz:x').toString('base64')}`,
      'invalid_client',
      401,
    ],
  ])('refuses %s', (_what, form, authorization, error, status) => {
    expect(refusal(form, authorization)).toMatchObject({ error, status });
  });

  it('refuses two authentication methods at once', () => {
    const form = `grant_type=client_credentials&client_id=${ID}&client_secret=${SECRET}`;
    expect(refusal(form, basic(ID, SECRET))).toEqual({
      error: 'invalid_request',
      status: 400,
      basicChallenge: true,
    });
  });

  it('challenges with Basic when Basic was tried or nothing was', () => {
    expect(refusal('grant_type=client_credentials', undefined).basicChallenge).toBe(true);
    expect(refusal('grant_type=client_credentials', 'Basic ***').basicChallenge).toBe(true);
  });
});

describe('grantedScopes', () => {
  it('grants all the held scopes when none are requested', () => {
    expect(grantedScopes(undefined, ['events:read', 'users:read'])).toEqual(['events:read', 'users:read']);
  });
  it('grants a subset of the held scopes', () => {
    expect(grantedScopes(['users:read'], ['events:read', 'users:read'])).toEqual(['users:read']);
  });
  it('refuses a scope the client does not hold with invalid_scope', () => {
    expect(() => grantedScopes(['webhooks:manage'], ['events:read'])).toThrow(
      expect.objectContaining({ status: 400, kind: expect.objectContaining({ code: 'invalid_scope' }) }),
    );
  });
});
