import { cpus, loadavg, totalmem } from 'node:os';
import { readFile } from 'node:fs/promises';
import { postgresVersion } from './scratch-db.ts';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  ramGb: number;
  node: string;
  postgres: string;
  kernel: string;
  /** 1-minute load average when the run started: above the core count, other work competes. */
  loadAtStart: number;
}

export async function machineInfo(): Promise<MachineInfo> {
  const kernel = (await readFile('/proc/sys/kernel/osrelease', 'utf8').catch(() => 'unknown')).trim();
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    ramGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: await postgresVersion(),
    kernel,
    loadAtStart: loadavg()[0]!,
  };
}
