/** The sizes of a chaos run: `full` (the default), `short` (CI) and `tiny` (development). */
export interface Profile {
  name: string;
  /** Internal events appended per second, in both scenarios. */
  rate: number;
  /** Seconds of load in the faults scenario. */
  faultSeconds: number;
  /** Seconds of load in the scale-out scenario. */
  scaleSeconds: number;
  /** Bound on the wait for the pipeline to settle after each scenario's load. */
  settleTimeoutMs: number;
}

export const PROFILES: Record<string, Profile> = {
  full: { name: 'full', rate: 500, faultSeconds: 60, scaleSeconds: 20, settleTimeoutMs: 600_000 },
  short: { name: 'short', rate: 100, faultSeconds: 30, scaleSeconds: 10, settleTimeoutMs: 300_000 },
  tiny: { name: 'tiny', rate: 20, faultSeconds: 30, scaleSeconds: 10, settleTimeoutMs: 180_000 },
};

/** `--profile <name>` (or `--profile=<name>`), else CHAOS_PROFILE, else `full`. */
export function profileFrom(argv: string[], env: NodeJS.ProcessEnv): Profile {
  let name = env.CHAOS_PROFILE ?? 'full';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--profile') name = argv[i + 1] ?? '';
    else if (arg.startsWith('--profile=')) name = arg.slice('--profile='.length);
  }
  const profile = PROFILES[name];
  if (!profile)
    throw new Error(`unknown chaos profile "${name}" (one of ${Object.keys(PROFILES).join(', ')})`);
  return profile;
}
