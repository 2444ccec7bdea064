import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { useLeanAsyncResourceBind } from './async-resource-bind';

describe('useLeanAsyncResourceBind', () => {
  beforeAll(() => useLeanAsyncResourceBind());

  it('binds without the deprecated asyncResource property', () => {
    const bound = AsyncResource.bind(() => 1);
    expect(Object.prototype.hasOwnProperty.call(bound, 'asyncResource')).toBe(false);
    expect(bound()).toBe(1);
  });

  it('runs the function in the async context it was bound in', async () => {
    const als = new AsyncLocalStorage<string>();
    const bound = als.run('request-1', () =>
      AsyncResource.bind((suffix: string) => `${als.getStore()}${suffix}`),
    );
    const seen = await als.run('request-2', () => Promise.resolve().then(() => bound('!')));
    expect(seen).toBe('request-1!');
  });

  it("keeps the caller's this, or the given thisArg, and fn's length", () => {
    function who(this: { name: string } | undefined, _a: number, _b: number): string | undefined {
      return this?.name;
    }
    const callerThis = new AsyncResource('test').bind(who);
    expect(callerThis.call({ name: 'caller' }, 1, 2)).toBe('caller');
    expect(callerThis.length).toBe(2);
    const fixed = (new AsyncResource('test').bind as (fn: typeof who, thisArg: unknown) => typeof who)(who, {
      name: 'fixed',
    });
    expect(fixed.call({ name: 'caller' }, 1, 2)).toBe('fixed');
    expect(fixed.length).toBe(2);
  });

  it('rejects a non-function as Node does', () => {
    expect(() => new AsyncResource('test').bind(42 as unknown as () => void)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
