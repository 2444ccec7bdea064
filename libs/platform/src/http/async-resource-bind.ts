/**
 * `AsyncResource.prototype.bind` without the deprecated `asyncResource` accessor.
 *
 * Fastify binds a resource around every body parse and Nest around every interceptor
 * step, so each request calls `bind` several times. Node 20's `bind` also defines an
 * `asyncResource` getter and setter on every bound function, each wrapped in
 * `util.deprecate` (DEP0172): building those wrappers measured 13 % of the commands role's
 * CPU at 500 appends/s, more than the request's own work. Node 24 no longer adds the
 * property (DEP0172 is End-of-Life there); this gives Node 20 and 22 the same `bind`: the
 * bound function runs `fn` in the resource's async scope with the caller's `this` (or
 * `thisArg`), and its `length` is `fn`'s. Nothing here reads `asyncResource`.
 *
 * Applied once, only where the accessor exists; elsewhere Node's own `bind` stays, and
 * everywhere with `HERALD_FAST_PATHS=0` (see fast-paths/fast-paths.ts).
 */
import { AsyncResource } from 'node:async_hooks';
import { fastPaths } from '../fast-paths/fast-paths';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the signature of Node's own bind
type AnyFunction = (...args: any[]) => unknown;

let installed = false;

export function useLeanAsyncResourceBind(): void {
  if (installed || !fastPaths().node) return;
  installed = true;
  const probe = new AsyncResource('herald.bind-probe');
  const addsAccessor = Object.prototype.hasOwnProperty.call(
    probe.bind(() => undefined),
    'asyncResource',
  );
  probe.emitDestroy();
  if (!addsAccessor) return;

  const nodeBind = AsyncResource.prototype.bind;
  AsyncResource.prototype.bind = function bind<Func extends AnyFunction>(
    this: AsyncResource,
    fn: Func,
    thisArg?: unknown,
  ): Func {
    // Node's own validation and error for a non-function.
    if (typeof fn !== 'function') return nodeBind.call(this, fn) as Func;
    return boundTo(this, fn, thisArg);
  };
}

function boundTo<Func extends AnyFunction>(resource: AsyncResource, fn: Func, thisArg: unknown): Func {
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: Parameters<Func>): unknown {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : (...args: Parameters<Func>): unknown => resource.runInAsyncScope(fn, thisArg, ...args);
  Object.defineProperty(bound, 'length', {
    configurable: true,
    enumerable: false,
    writable: false,
    value: fn.length,
  });
  return bound as unknown as Func;
}
