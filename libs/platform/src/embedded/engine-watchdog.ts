/**
 * Keeps an embedded engine (Kafka broker, Postgres) from outliving the process that started it.
 *
 * Engines run in their own session (`spawnEngine`), so a terminal's Ctrl-C, which signals the
 * whole foreground process group, reaches only Herald, which then stops them in order. That
 * leaves one hole: a parent killed with SIGKILL never stops them. So each engine gets a
 * watchdog, a tiny node process in its own session whose stdin is a pipe from the parent. The
 * kernel closes that pipe when the parent dies, however it dies; the watchdog reads EOF (no
 * polling of the parent), signals the engine, and escalates to SIGKILL after a grace period.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface WatchdogOptions {
  /** First signal once the parent is gone: SIGINT for Postgres (fast shutdown), SIGTERM or SIGKILL for Kafka. */
  signal: NodeJS.Signals;
  /** Time the engine gets to exit on that signal before SIGKILL. */
  graceMs: number;
}

// Runs as `node -e`: argv is [node, pid, signal, graceMs]. Stays out of the terminal's way.
const WATCHDOG_SOURCE = `
const [pid, sig, grace] = [Number(process.argv[1]), process.argv[2], Number(process.argv[3])];
for (const s of ['SIGINT', 'SIGHUP', 'SIGQUIT']) process.on(s, () => undefined);
const alive = () => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
let fired = false;
const fire = () => {
  if (fired) return;
  fired = true;
  try { process.kill(pid, sig); } catch { process.exit(0); }
  setInterval(() => { if (!alive()) process.exit(0); }, 100);
  setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }, grace);
};
process.stdin.on('end', fire);
process.stdin.on('error', fire);
process.stdin.resume();
`;

/**
 * Spawns an engine in a session of its own, so signals meant for the terminal's foreground
 * group (Ctrl-C) do not reach it, and attaches a watchdog that stops it if this process dies.
 * The watchdog goes away by itself when the engine exits.
 */
export function spawnEngine(
  command: string,
  args: string[],
  options: SpawnOptions,
  watchdog: WatchdogOptions,
): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid !== undefined) {
    const dog = startWatchdog(child.pid, watchdog);
    child.once('exit', () => dog.kill('SIGKILL'));
  }
  return child;
}

function startWatchdog(pid: number, opts: WatchdogOptions): ChildProcess {
  const dog = spawn(
    process.execPath,
    ['-e', WATCHDOG_SOURCE, String(pid), opts.signal, String(opts.graceMs)],
    { detached: true, stdio: ['pipe', 'ignore', 'ignore'] },
  );
  dog.on('error', () => undefined); // no watchdog is no worse than before; the engine still stops normally
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return dog;
}
