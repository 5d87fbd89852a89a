/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time and the
 * files they live in, so a hot path can be read without a browser.
 *
 *   tsx bench/profile-summary.ts bench/results/profiles/CPU.….cpuprofile [--top 30]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  ms: number;
  share: number;
}

/** Self time per function and per file (ms and share of all samples, idle excluded). */
export function summarizeProfile(profile: CpuProfile): { totalMs: number; idleMs: number; functions: HotSpot[]; files: HotSpot[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let idleMs = 0;
  let totalMs = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    totalMs += ms;
    const file = shortUrl(frame.url) || frame.functionName;
    functions.set(
      `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`,
      (functions.get(`${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`) ?? 0) + ms,
    );
    files.set(file, (files.get(file) ?? 0) + ms);
  }
  const rank = (m: Map<string, number>) => [...m].map(([name, ms]) => ({ name, ms, share: ms / totalMs })).sort((a, b) => b.ms - a.ms);
  return { totalMs, idleMs, functions: rank(functions), files: rank(files) };
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '~/')
    .replace(/^.*\/work\/main\//, '');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '30' } }, allowPositionals: true });
  if (positionals.length !== 1) {
    console.error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [--top N]');
    process.exit(2);
  }
  const summary = summarizeProfile(JSON.parse(await readFile(positionals[0]!, 'utf8')) as CpuProfile);
  const top = Number(values.top);
  console.log(`busy ${summary.totalMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms\n`);
  console.log('| self ms | share | function |\n|---:|---:|---|');
  for (const f of summary.functions.slice(0, top)) console.log(`| ${f.ms.toFixed(0)} | ${(100 * f.share).toFixed(1)} % | ${f.name} |`);
  console.log('\n| self ms | share | file |\n|---:|---:|---|');
  for (const f of summary.files.slice(0, top)) console.log(`| ${f.ms.toFixed(0)} | ${(100 * f.share).toFixed(1)} % | ${f.name} |`);
}
