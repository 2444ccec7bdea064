import { DomainError } from './errors';
import { ErrorCode, PLATFORM_ERROR_CODES } from './error-codes';

describe('error codes', () => {
  it('are unique, snake_case, described, and in status order', () => {
    const codes = PLATFORM_ERROR_CODES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of PLATFORM_ERROR_CODES) {
      expect(c.code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(c.description.length).toBeGreaterThan(10);
    }
    const statuses = PLATFORM_ERROR_CODES.map((c) => c.status);
    expect(statuses).toEqual([...statuses].sort((a, b) => a - b));
  });

  it('throw as domain errors with their status', () => {
    const notFound = new ErrorCode('widget_not_found', 404, 'No widget with this id in the tenant.');
    const e = notFound.error('no widget 7', { id: 7 });
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({
      code: 'widget_not_found',
      status: 404,
      message: 'no widget 7',
      details: { id: 7 },
    });
  });

  it('refuses a code that is not snake_case', () => {
    expect(() => new ErrorCode('NotFound', 404, 'x')).toThrow('snake_case');
  });
});
