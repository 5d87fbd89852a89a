import { readFile, readdir } from 'node:fs/promises';

/** Linux clock ticks per second for /proc CPU times (USER_HZ; 100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export async function processCpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Resident set size in MB from /proc/<pid>/status (`field` VmHWM: the peak since the process started). */
export async function processRssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** PIDs of PostgreSQL backends connected to `database` (their title names the database). */
export async function postgresBackends(database: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\u0000', ' ');
      if (cmdline.startsWith('postgres: ') && cmdline.split(' ').includes(database)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** The parent pid of a process, from /proc/<pid>/stat (null once it has ended). */
async function parentPid(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

export interface ServerCpuSampler {
  start(): Promise<void>;
  /** CPU seconds per server since start(). */
  stop(): Promise<Record<string, number>>;
}

/**
 * CPU of the backends serving `database`, per server: each backend is attributed to the server
 * whose postmaster forked it (`servers`: label → postmaster pid; one PostgreSQL, or each node of a
 * Citus cluster, whose internal connections use the same database name). Background processes are
 * not counted. Backends that start during the run count from zero; ones that end are missed.
 */
export function serverCpuSampler(database: string, servers: Record<string, number>): ServerCpuSampler {
  const labelOf = new Map(Object.entries(servers).map(([label, pid]) => [pid, label]));
  const snapshot = async () => {
    const cpu = new Map<number, { label: string; seconds: number }>();
    for (const pid of await postgresBackends(database)) {
      const parent = await parentPid(pid);
      const label = parent === null ? undefined : labelOf.get(parent);
      const seconds = await processCpuSeconds(pid);
      if (label && seconds !== null) cpu.set(pid, { label, seconds });
    }
    return cpu;
  };
  let before = new Map<number, { label: string; seconds: number }>();
  return {
    async start() {
      before = await snapshot();
    },
    async stop() {
      const totals: Record<string, number> = Object.fromEntries(Object.keys(servers).map((label) => [label, 0]));
      for (const [pid, now] of await snapshot()) totals[now.label]! += now.seconds - (before.get(pid)?.seconds ?? 0);
      return totals;
    },
  };
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
export async function machineCpu(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface ResourceReport {
  seconds: number;
  /** Cores' worth of CPU the gateway used on average (1.0 = one core busy all the time). */
  gatewayCpuCores: number | null;
  gatewayRssMbPeak: number | null;
  gatewayRssMbMean: number | null;
  /** PostgreSQL backends serving the bench database (excludes shared background processes). */
  postgresCpuCores: number | null;
  /** Share of all cores busy on the machine, whoever used them (other work included). */
  machineBusyPercent: number;
}

/**
 * Samples a gateway process (and the PostgreSQL backends of its database) while a benchmark
 * runs: CPU as a delta of /proc times, RSS every `intervalMs`.
 */
export class ResourceSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly rss: number[] = [];
  private startCpu: number | null = null;
  private startMachine = { busy: 0, total: 0 };
  private startedAt = 0;
  private pgStart = new Map<number, number>();

  constructor(
    private readonly pid: number,
    private readonly database?: string,
    private readonly intervalMs = 250,
  ) {}

  async start(): Promise<void> {
    this.startedAt = performance.now();
    this.startCpu = await processCpuSeconds(this.pid);
    this.startMachine = await machineCpu();
    if (this.database) {
      for (const pid of await postgresBackends(this.database)) this.pgStart.set(pid, (await processCpuSeconds(pid)) ?? 0);
    }
    this.timer = setInterval(() => {
      void processRssMb(this.pid).then((mb) => {
        if (mb !== null) this.rss.push(mb);
      });
    }, this.intervalMs);
  }

  async stop(): Promise<ResourceReport> {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const endCpu = await processCpuSeconds(this.pid);
    const endMachine = await machineCpu();
    const lastRss = await processRssMb(this.pid);
    if (lastRss !== null) this.rss.push(lastRss);
    let pgCpu: number | null = null;
    if (this.database) {
      pgCpu = 0;
      // Backends that started during the run count from zero; ones that ended are missed (rare: pools keep them).
      for (const pid of await postgresBackends(this.database))
        pgCpu += ((await processCpuSeconds(pid)) ?? 0) - (this.pgStart.get(pid) ?? 0);
    }
    const machineTotal = endMachine.total - this.startMachine.total;
    return {
      seconds,
      gatewayCpuCores: endCpu !== null && this.startCpu !== null ? (endCpu - this.startCpu) / seconds : null,
      gatewayRssMbPeak: this.rss.length ? Math.max(...this.rss) : null,
      gatewayRssMbMean: this.rss.length ? this.rss.reduce((a, b) => a + b, 0) / this.rss.length : null,
      postgresCpuCores: pgCpu !== null ? pgCpu / seconds : null,
      machineBusyPercent: machineTotal > 0 ? (100 * (endMachine.busy - this.startMachine.busy)) / machineTotal : 0,
    };
  }
}
