import { adminActor, normalizeEmail } from './admin';

describe('admin emails', () => {
  it.each([
    ['Ops@Example.COM', 'ops@example.com'],
    ['  admin@dev.localhost ', 'admin@dev.localhost'],
    ['first.last+tag@sub.example.org', 'first.last+tag@sub.example.org'],
  ])('stores %j as %j', (raw, stored) => {
    expect(normalizeEmail(raw)).toBe(stored);
  });

  it.each([
    '',
    'no-at-sign',
    '@example.com',
    'a@',
    'a b@example.com',
    'a@-bad-.com',
    '<a@example.com>',
    `${'x'.repeat(65)}@example.com`,
  ])('refuses %j', (raw) => {
    expect(normalizeEmail(raw)).toBeUndefined();
  });

  it('names the admin as an actor', () => {
    expect(adminActor('ops@example.com')).toBe('admin:ops@example.com');
  });
});
