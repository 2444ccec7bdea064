/**
 * Postgres refuses to run as root. When Herald runs as root it starts the embedded
 * server as a dedicated system user, created on first use.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as os from 'node:os';

export const EMBEDDED_OS_USER = 'herald';

export interface OsIdentity {
  uid: number;
  gid: number;
  name: string;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The identity to run embedded services as: the current user, or `herald` when root. */
export function serviceIdentity(): OsIdentity | undefined {
  if (!isRoot()) return undefined;
  if (!userExists(EMBEDDED_OS_USER)) {
    const res = spawnSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', EMBEDDED_OS_USER],
      { encoding: 'utf8' },
    );
    if (res.status !== 0 && !userExists(EMBEDDED_OS_USER)) {
      throw new Error(`cannot create the OS user "${EMBEDDED_OS_USER}" for Postgres: ${oneLine(res.stderr)}`);
    }
  }
  const uid = Number(execFileSync('id', ['-u', EMBEDDED_OS_USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', EMBEDDED_OS_USER], { encoding: 'utf8' }).trim());
  return { uid, gid, name: EMBEDDED_OS_USER };
}

function userExists(name: string): boolean {
  return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;
}

/** True when `who` can run `cmd args` (used to check the user can reach binaries and directories). */
export function canRunAs(who: OsIdentity | undefined, cmd: string, args: string[]): boolean {
  const res = spawnSync(cmd, args, { stdio: 'ignore', ...(who ? { uid: who.uid, gid: who.gid } : {}) });
  return res.status === 0;
}

export function oneLine(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim().slice(0, 300) || 'no output';
}

export const hostname = os.hostname;
