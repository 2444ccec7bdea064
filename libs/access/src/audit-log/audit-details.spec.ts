import { REDACTED, redactAuditDetails, redactUrl } from './audit-details';

describe('audit details as the API shows them', () => {
  it('keeps what writers put there today', () => {
    const created = {
      url: 'https://example.com/hook',
      label: 'main',
      events: ['post.*'],
      filters: { 'data.status': 'published' },
      active: true,
      signing_scheme: 'mobieus-v1',
    };
    expect(redactAuditDetails(created)).toEqual(created);
    const key = {
      label: null,
      mode: 'live',
      prefix: 'mc_live_ab12',
      scopes: ['events:read'],
      daily_quota: null,
    };
    expect(redactAuditDetails(key)).toEqual(key);
  });

  it('replaces values under credential-like keys, at any depth', () => {
    expect(
      redactAuditDetails({
        secret: 'whsec_abc',
        before: { signing_secret: 'x', n: 1 },
        list: [{ token: 't' }, { password: 'p' }],
        key: 'mc_live_x',
        previous_secret_expires_at: null,
      }),
    ).toEqual({
      secret: REDACTED,
      before: { signing_secret: REDACTED, n: 1 },
      list: [{ token: REDACTED }, { password: REDACTED }],
      key: REDACTED,
      previous_secret_expires_at: null,
    });
  });

  it('masks the userinfo and query values of URLs', () => {
    expect(redactUrl('https://hooks.example.com/in?token=s3cret&team=a&team=b')).toBe(
      'https://hooks.example.com/in?token=***&team=***',
    );
    expect(redactUrl('https://user:pw@example.com/x')).toBe('https://example.com/x');
    expect(redactUrl('not a url ?token=x')).toBe('not a url ?token=x');
    expect(redactAuditDetails({ url: 'https://e.com/?k=v' })).toEqual({ url: 'https://e.com/?k=***' });
  });

  it('answers an object whatever was stored', () => {
    expect(redactAuditDetails(null)).toEqual({});
    expect(redactAuditDetails([1])).toEqual({});
  });
});
