/**
 * CPU per delivered event, by role: user + system time (Linux /proc/<pid>/stat) of every
 * process the bench runs, read before and after a phase. Postgres counts its server and
 * every backend (those that exited meanwhile too); the load generator is the bench process
 * itself. The whole machine's busy time (/proc/stat) is read as well: on a shared machine
 * it shows how much of the box went to something else.
 */
import * as fs from 'node:fs';
import { processCpuSeconds, processTreeCpuSeconds } from './support';

/** A role and how to read its CPU seconds so far (undefined: not on this machine). */
export type RoleProbe = [name: string, read: () => number | undefined];

export interface CpuSample {
  roles: Map<string, number | undefined>;
  machine: number | undefined;
}

export interface CpuCost {
  /** µs of CPU per delivered event, by role; undefined where the role could not be read. */
  perRole: Array<[string, number | undefined]>;
  /** The roles together (those that could be read). */
  total: number;
  /** The whole machine's busy time per delivered event, whoever used it. */
  machine: number | undefined;
}

export class CpuMeter {
  constructor(private readonly probes: RoleProbe[]) {}

  sample(): CpuSample {
    return {
      roles: new Map(this.probes.map(([name, read]) => [name, read()])),
      machine: machineBusySeconds(),
    };
  }

  /** What the roles used between two samples, per delivered event. */
  cost(before: CpuSample, after: CpuSample, delivered: number): CpuCost {
    const perRole: Array<[string, number | undefined]> = [];
    let total = 0;
    for (const [name] of this.probes) {
      const a = before.roles.get(name);
      const b = after.roles.get(name);
      const us = a === undefined || b === undefined ? undefined : ((b - a) * 1e6) / delivered;
      perRole.push([name, us]);
      if (us !== undefined) total += us;
    }
    const machine =
      before.machine === undefined || after.machine === undefined
        ? undefined
        : ((after.machine - before.machine) * 1e6) / delivered;
    return { perRole, total, machine };
  }
}

export function formatCost(cost: CpuCost): string {
  const parts = cost.perRole.map(([name, us]) => `${name} ${us === undefined ? 'n/a' : us.toFixed(0)}`);
  const machine = cost.machine === undefined ? '' : `; whole machine ${cost.machine.toFixed(0)} µs`;
  return `${cost.total.toFixed(0)} µs/event (${parts.join(', ')})${machine}`;
}

/** The probes of one process's own CPU, a process tree's, and this process's. */
export const probes = {
  process: (pid: number | undefined) => (): number | undefined =>
    pid === undefined ? undefined : processCpuSeconds(pid),
  tree: (pid: number | undefined) => (): number | undefined =>
    pid === undefined ? undefined : processTreeCpuSeconds(pid),
  self: () => (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  },
};

/** The processes among `pids` whose command line contains `needle` (Linux /proc). */
export function pidMatching(pids: number[], needle: string): number | undefined {
  for (const pid of pids) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) return pid;
    } catch {
      // gone
    }
  }
  return undefined;
}

/** Busy CPU seconds of the whole machine so far: everything but idle and iowait (/proc/stat). */
function machineBusySeconds(): number | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return undefined;
  }
}
