/**
 * `npm run bench` — measures logpulse against the budgets of DESIGN.md §6 and records the result.
 *
 *   npm run bench                      full run (≈ 20–40 min on 2 cores; 10M-row dataset kept for reuse)
 *   npm run bench -- --quick           small sizes, < 2 minutes (CI runs it through bench/test)
 *   npm run bench -- --only ingest,live --sizes 100000,1000000 --fresh --profile --dry --drop-datasets
 *
 * Results: bench/results/<time>-<mode>.json and .md (git-ignored); a full run also appends its section
 * to BENCHMARKS.md (unless --dry). A quick run never touches tracked files: its small sizes say
 * nothing worth recording. Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
 * with the right to create databases; every scratch database it creates is named logpulse_bench_*.
 */
import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { REPO_ROOT, startGateway } from '@logpulse/testkit/gateway-process';
import { machineInfo } from './lib/machine.ts';
import { renderMarkdown, type BenchResults } from './lib/report.ts';
import { createScratchDatabase, dropScratchDatabase, RUN_ID, scratchName } from './lib/scratch-db.ts';
import { datasetName } from './lib/seed.ts';
import { benchAnalyses, DEFAULT_RANGES } from './sections/analyses.ts';
import { benchCitus } from './sections/citus.ts';
import { benchGoAccess } from './sections/goaccess.ts';
import { benchIdleShipper } from './sections/idle.ts';
import { benchMemory } from './sections/memory.ts';
import { benchStorage } from './sections/storage.ts';
import { benchIngest } from './sections/ingest.ts';
import { benchLive } from './sections/live.ts';

const SECTIONS = ['ingest', 'analyses', 'live', 'goaccess', 'idle', 'memory', 'storage'] as const;
type Section = (typeof SECTIONS)[number];

const USAGE = `usage: npm run bench -- [--quick] [--only ${SECTIONS.join(',')}] [--sizes 100000,1000000,10000000]
                      [--runs N] [--fresh] [--drop-datasets] [--profile] [--dry] [--results DIR]
                      [--analyses patterns,endpointDetail] [--ranges 24h]   (a subset of the analyses section)
                      [--target citus]   (ingest and analyses side by side: one PostgreSQL, then a local
                                          Citus cluster from deploy/citus/local-cluster.sh; needs Citus installed or CITUS_TARBALL)
       npm run bench -- --render bench/results/FILE.json   (print the Markdown of a stored result)`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      sizes: { type: 'string' },
      runs: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      'drop-datasets': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      dry: { type: 'boolean', default: false },
      results: { type: 'string' },
      render: { type: 'string' },
      analyses: { type: 'string' },
      ranges: { type: 'string' },
      target: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...SECTIONS];
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  const quick = values.quick;
  const sizes = values.sizes
    ? values.sizes.split(',').map((s) => Number(s.replaceAll('_', '')))
    : quick
      ? [10_000, 50_000]
      : [100_000, 1_000_000, 10_000_000];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1_000)) throw new Error(`--sizes must be whole numbers ≥ 1000, got ${values.sizes}`);
  const runs = values.runs ? Number(values.runs) : quick ? 3 : 20;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, got ${values.runs}`);
  const ranges = values.ranges ? values.ranges.split(',').map((s) => s.trim()) : DEFAULT_RANGES.map((r) => r.label);
  const badRange = ranges.find((r) => !DEFAULT_RANGES.some((d) => d.label === r));
  if (badRange) throw new Error(`unknown range ${badRange}; choose from ${DEFAULT_RANGES.map((r) => r.label).join(', ')}`);
  const target = values.target ?? 'postgres';
  if (target !== 'postgres' && target !== 'citus') throw new Error(`--target must be postgres or citus, got ${target}`);
  return {
    quick,
    target,
    analyses: values.analyses ? values.analyses.split(',').map((s) => s.trim()) : undefined,
    ranges: DEFAULT_RANGES.filter((r) => ranges.includes(r.label)),
    sections: new Set(only as Section[]),
    sizes,
    runs,
    fresh: values.fresh,
    dropDatasets: values['drop-datasets'] || quick,
    profile: values.profile,
    dry: values.dry,
    resultsDir: values.results ?? join(REPO_ROOT, 'bench/results'),
    render: values.render,
  };
}

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options.render) {
    // Re-renders a stored result (e.g. after improving the report) without running anything.
    process.stdout.write(`${renderMarkdown(JSON.parse(await readFile(options.render, 'utf8')) as BenchResults)}\n`);
    return 0;
  }
  const q = options.quick;
  // Quick runs build small private datasets and drop them; full runs keep shared ones for reuse.
  const datasetScope = q ? RUN_ID : undefined;
  const startedAt = new Date().toISOString();
  const machine = await machineInfo();
  const loads: number[] = [];
  const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 5_000);
  const results: BenchResults = {
    startedAt,
    finishedAt: startedAt,
    mode: q ? 'quick' : 'full',
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    commit: gitCommit(),
    machine,
    meanLoad: machine.loadAtStart,
    errors: [],
  };
  log(
    `${results.mode} run on ${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgres}; load ${machine.loadAtStart.toFixed(1)}`,
  );
  const profileDir = join(options.resultsDir, 'profiles');
  if (options.profile) await mkdir(profileDir, { recursive: true });

  const attempt = async (section: Section, fn: () => Promise<void>) => {
    if (!options.sections.has(section)) return;
    try {
      await fn();
    } catch (error) {
      const message = (error as Error).stack ?? String(error);
      log(`${section} FAILED: ${message}`);
      results.errors.push({ section, message: (error as Error).message });
    }
  };

  if (options.target === 'citus') {
    const citusSections = ['ingest', 'analyses'].filter((s) => options.sections.has(s as Section));
    for (const s of citusSections) options.sections.delete(s as Section);
    try {
      results.citus = await benchCitus({
        ingest: citusSections.includes('ingest')
          ? {
              durationMs: q ? 4_000 : 20_000,
              warmupMs: q ? 1_000 : 3_000,
              concurrency: q ? 4 : 16,
              records: q ? 100_000 : 1_000_000,
              minBatch: 500,
              maxBatch: 2000,
            }
          : undefined,
        analyses: citusSections.includes('analyses')
          ? {
              sizes: options.sizes,
              days: 7,
              runs: options.runs,
              ranges: options.ranges,
              only: options.analyses,
              fresh: options.fresh,
              scope: datasetScope,
            }
          : undefined,
        log,
      });
    } catch (error) {
      log(`citus FAILED: ${(error as Error).stack ?? String(error)}`);
      results.errors.push({ section: 'citus', message: (error as Error).message });
    }
  }

  await attempt('ingest', async () => {
    results.ingest = await benchIngest({
      durationMs: q ? 4_000 : 30_000,
      warmupMs: q ? 1_000 : 3_000,
      concurrency: q ? 4 : 16,
      records: q ? 150_000 : 3_000_000,
      minBatch: 500,
      maxBatch: 2000,
      copyRows: q ? 50_000 : 1_000_000,
      pgliteDurationMs: q ? 3_000 : 15_000,
      pgliteConcurrency: q ? 2 : 4,
      gatewayNodeArgs: options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      log,
    });
  });
  await attempt('analyses', async () => {
    results.analyses = await benchAnalyses({
      sizes: options.sizes,
      days: 7,
      runs: options.runs,
      ranges: options.ranges,
      only: options.analyses,
      fresh: options.fresh,
      scope: datasetScope,
      log,
    });
  });
  await attempt('live', async () => {
    const db = scratchName('live');
    const url = await createScratchDatabase(db);
    const dataDir = await mkdtemp(join(tmpdir(), 'logpulse-bench-'));
    const gateway = await startGateway({ databaseUrl: url, dataDir });
    try {
      results.live = await benchLive({
        url: gateway.url,
        pid: gateway.pid,
        database: db,
        subscribers: q ? 10 : 50,
        recordsPerSecond: q ? 2_000 : 10_000,
        durationMs: q ? 4_000 : 30_000,
        batch: q ? 200 : 1_000,
        workers: 2,
        log,
      });
      const l = results.live;
      log(`live: delivery p50 ${l.latencyMs.p50} ms, p99 ${l.latencyMs.p99} ms; ${l.missing} of ${l.expectedDeliveries} missing`);
    } finally {
      await gateway.stop();
      await rm(dataDir, { recursive: true, force: true });
      await dropScratchDatabase(db);
    }
  });
  await attempt('goaccess', async () => {
    results.goaccess = await benchGoAccess({ records: q ? 20_000 : 1_000_000, concurrency: q ? 4 : 16, log });
  });
  await attempt('idle', async () => {
    results.idle = await benchIdleShipper({ seconds: q ? 5 : 60, log });
  });
  await attempt('memory', async () => {
    results.memory = await benchMemory({ seconds: q ? 10 : 180, modes: ['pglite', 'postgres'], log });
  });
  await attempt('storage', async () => {
    results.storage = await benchStorage({ records: q ? 20_000 : 300_000, log });
  });
  // The Citus side's datasets went with its cluster; the single node's are dropped as usual.
  if (options.dropDatasets && (options.sections.has('analyses') || results.citus?.analyses)) {
    for (const rows of options.sizes) await dropScratchDatabase(datasetName(rows, 7, datasetScope));
  }

  clearInterval(loadTimer);
  results.finishedAt = new Date().toISOString();
  if (loads.length) results.meanLoad = loads.reduce((a, b) => a + b, 0) / loads.length;
  await mkdir(options.resultsDir, { recursive: true });
  const stamp = startedAt.replaceAll(':', '').replace(/\.\d+Z$/, 'Z');
  const jsonPath = join(options.resultsDir, `${stamp}-${results.mode}.json`);
  await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  const record = !options.dry && !options.quick;
  await writeFile(jsonPath.replace(/\.json$/, '.md'), `${markdown}\n`);
  if (record) {
    const file = join(REPO_ROOT, 'BENCHMARKS.md');
    const existing = await readFile(file, 'utf8').catch(() => '');
    // Formatted like the rest of the repository (prettier), so the appended section needs no clean-up.
    const section = await prettier.format(markdown, { ...(await prettier.resolveConfig(file)), parser: 'markdown' });
    await appendFile(file, `${existing.endsWith('\n\n') || existing === '' ? '' : '\n'}${section}`);
  }
  process.stdout.write(`${markdown}\n`);
  log(`results: ${jsonPath} (and .md)${record ? ' and BENCHMARKS.md' : ''}`);
  return results.errors.length ? 1 : 0;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

process.exitCode = await main();
