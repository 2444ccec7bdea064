/**
 * One switch for the code here that reaches into the internals of kafkajs, pg and Node
 * for speed (docs/architecture.md, "Fast paths"):
 *
 * - kafkajs: the Produce/Fetch codecs and the request-queue timer fix of
 *   `kafka/wire/kafkajs-fast-paths.ts`, and the linear per-partition grouping of
 *   `kafka/wire/kafkajs-preload.ts`;
 * - pg: `tenancy/tenant-read.ts`'s one-round-trip tenant read (a `Query` whose `prepare`
 *   pipelines the scope statement before the read);
 * - node: `http/async-resource-bind.ts`'s `AsyncResource.prototype.bind`.
 *
 * Each was written against one version of the library it patches, whose private modules
 * and methods it relies on. At any other version that part is left off, with one warning
 * at boot, and the plain path runs instead. `HERALD_FAST_PATHS=0` turns all of them off
 * (to rule them out when chasing a bug; CI runs the integration tier once that way).
 *
 * The preload acts when kafkajs is first imported, before any configuration is read, so
 * this module reads its variable from the environment itself; the configuration schema
 * validates the same variable with the same parser, so a bad value still stops boot.
 */
export const FAST_PATHS_VARIABLE = 'HERALD_FAST_PATHS';

/** The versions the patches were written for. */
export const FAST_PATHS_WRITTEN_FOR = { kafkajs: '2.2.4', pg: '8.23.1' } as const;

export interface FastPaths {
  /** What `HERALD_FAST_PATHS` asked for (default on). */
  requested: boolean;
  kafkajs: boolean;
  pg: boolean;
  node: boolean;
  /** Why a requested fast path is off: one phrase per library at a version not written for. */
  refused: string[];
}

/** `1` (default) or `0`; anything else is `undefined`, which the configuration reports. */
export function parseFastPathsSwitch(raw: string | undefined): boolean | undefined {
  const v = raw?.trim();
  if (v === undefined || v === '' || v === '1') return true;
  if (v === '0') return false;
  return undefined;
}

export function decideFastPaths(
  raw: string | undefined,
  installed: { kafkajs: string; pg: string },
): FastPaths {
  const requested = parseFastPathsSwitch(raw) ?? false;
  const refused: string[] = [];
  const fits = (lib: keyof typeof FAST_PATHS_WRITTEN_FOR): boolean => {
    if (!requested) return false;
    if (installed[lib] === FAST_PATHS_WRITTEN_FOR[lib]) return true;
    refused.push(`${lib} ${installed[lib]} (written for ${FAST_PATHS_WRITTEN_FOR[lib]})`);
    return false;
  };
  return { requested, kafkajs: fits('kafkajs'), pg: fits('pg'), node: requested, refused };
}

let decided: FastPaths | undefined;

/** This process's fast paths, decided once from the environment and installed versions. */
export function fastPaths(): FastPaths {
  // eslint-disable-next-line no-restricted-properties -- read before any configuration exists (see above)
  decided ??= decideFastPaths(process.env[FAST_PATHS_VARIABLE], {
    kafkajs: installedVersion('kafkajs'),
    pg: installedVersion('pg'),
  });
  return decided;
}

/** The one line boot logs about them, or nothing when all are on as written. */
export function describeFastPaths(state: FastPaths): { level: 'info' | 'warn'; message: string } | undefined {
  if (!state.requested) return { level: 'info', message: `fast paths off (${FAST_PATHS_VARIABLE}=0)` };
  if (state.refused.length === 0) return undefined;
  return {
    level: 'warn',
    message: `fast paths left off for ${state.refused.join(', ')}: the plain paths run instead`,
  };
}

let logged = false;

/** Logs `describeFastPaths` of this process once, however many apps it builds. */
export function logFastPathsOnce(logger: { info(msg: string): void; warn(msg: string): void }): void {
  if (logged) return;
  logged = true;
  const line = describeFastPaths(fastPaths());
  if (line) logger[line.level](line.message);
}

function installedVersion(lib: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed copy's own manifest
    return (require(`${lib}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
