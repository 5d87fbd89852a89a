/**
 * Quick timing of every analysis over a 24 h range on PostgreSQL.
 *
 *   tsx bench/analytics-timing.ts [--rows 1000000] [--keep]
 *
 * Creates a scratch database on $BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * seeds `rows` logs over the last 24 h (bench/analytics-seed.ts), times each analysis (median of
 * 5 runs after a warm-up) and drops the database unless --keep. Prints a Markdown table.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '@logpulse/gateway/storage/db';
import { applyMigrations } from '@logpulse/gateway/storage/migrate';
import { getEndpointDetail } from '@logpulse/gateway/analytics/endpoint-detail';
import { getEndpointUsage, getSlowEndpoints } from '@logpulse/gateway/analytics/endpoint-usage';
import { getErrorDistribution, getStatusEndpointTop } from '@logpulse/gateway/analytics/error-distribution';
import { getErrorHeatmap } from '@logpulse/gateway/analytics/error-heatmap';
import { getPatterns } from '@logpulse/gateway/analytics/patterns';
import { getRecentLogs } from '@logpulse/gateway/storage/raw-logs';
import { readRollups } from '@logpulse/gateway/storage/rollup-read';
import { getEndpoints, getServices } from '@logpulse/gateway/analytics/services';
import { getTraffic } from '@logpulse/gateway/analytics/traffic';
import { seedBenchLogs } from './analytics-seed.ts';

const { values: opts } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false } },
});
const rows = Number(opts.rows);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = `logpulse_bench_${randomBytes(4).toString('hex')}`;

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const db = await openDatabase({ databaseUrl: url.toString(), dataDir: '.data' });

try {
  await applyMigrations(db.pool);
  const now = Date.now();
  const seedStart = performance.now();
  await seedBenchLogs(db.pool, { rows, from: new Date(now - 24 * 3_600_000), to: new Date(now) });
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const sizes = await db.pool.query<{ logs: number; minute: number; hour: number }>(
    'SELECT (SELECT count(*) FROM logs) AS logs, (SELECT count(*) FROM rollup_minute) AS minute, (SELECT count(*) FROM rollup_hour) AS hour',
  );

  // The range a dashboard asks for: "last 24h", ending now (not hour-aligned).
  const range = { from: new Date(now - 24 * 3_600_000 + 7 * 60_000 + 13_000), to: new Date(now + 7 * 60_000 + 13_000) };
  const pool = db.pool;
  const cases: [string, () => Promise<unknown>][] = [
    ['traffic (auto: 15m buckets, minute rollups)', () => getTraffic(pool, { range })],
    ['traffic (bucket 1h: hour rollups + edge minutes)', () => getTraffic(pool, { range, bucketSeconds: 3600 })],
    ['traffic (service filter, auto)', () => getTraffic(pool, { range, filter: { service: 'checkout' } })],
    ['endpointUsage', () => getEndpointUsage(pool, { range, limit: 100 })],
    ['errorDistribution', () => getErrorDistribution(pool, { range })],
    ['slowEndpoints', () => getSlowEndpoints(pool, { range, limit: 10 })],
    ['statusEndpointTop', () => getStatusEndpointTop(pool, { range, limit: 5 })],
    ['errorHeatmap (UTC)', () => getErrorHeatmap(pool, { range, tz: 'UTC', limit: 20 })],
    ['errorHeatmap (Asia/Kolkata: minute rollups)', () => getErrorHeatmap(pool, { range, tz: 'Asia/Kolkata', limit: 20 })],
    ['patterns (incl. raw-log top UAs/IPs)', () => getPatterns(pool, { range, tz: 'Europe/Berlin', limit: 10, citus: false })],
    ['endpointDetail', () => getEndpointDetail(pool, { range, route: '/api/users/:id', method: 'GET', limit: 10, citus: false })],
    ['recentLogs (first 50)', () => getRecentLogs(pool, { filter: {}, first: 50 })],
    ['recentLogs (service + 5xx, first 50)', () => getRecentLogs(pool, { filter: { service: 'search', statusClass: 5 }, first: 50 })],
    ['endpoints', () => getEndpoints(pool, { range, limit: 500 })],
    ['services', () => getServices(pool, { range })],
    ['readRollups per endpoint, merge in SQL', () => readRollups(pool, { range, groupBy: ['service', 'method', 'route'], mergeIn: 'sql' })],
    ['readRollups per endpoint, merge in TS', () => readRollups(pool, { range, groupBy: ['service', 'method', 'route'], mergeIn: 'ts' })],
    [
      'readRollups per endpoint × 5m, merge in SQL',
      () => readRollups(pool, { range, groupBy: ['bucket', 'service', 'method', 'route'], bucketSeconds: 300, mergeIn: 'sql' }),
    ],
    [
      'readRollups per endpoint × 5m, merge in TS',
      () => readRollups(pool, { range, groupBy: ['bucket', 'service', 'method', 'route'], bucketSeconds: 300, mergeIn: 'ts' }),
    ],
    [
      'readRollups per endpoint × 1h, merge in SQL',
      () => readRollups(pool, { range, groupBy: ['bucket', 'service', 'method', 'route'], bucketSeconds: 3600, mergeIn: 'sql' }),
    ],
    [
      'readRollups per endpoint × 1h, merge in TS',
      () => readRollups(pool, { range, groupBy: ['bucket', 'service', 'method', 'route'], bucketSeconds: 3600, mergeIn: 'ts' }),
    ],
  ];

  const size = sizes.rows[0]!;
  console.log(
    `\n${size.logs.toLocaleString('en')} logs over 24 h (${size.minute.toLocaleString('en')} minute rollup rows, ${size.hour.toLocaleString('en')} hour rollup rows), seeded in ${seedSeconds.toFixed(0)} s.\n`,
  );
  console.log('| analysis (24 h range) | median ms | min ms |');
  console.log('|---|---:|---:|');
  for (const [label, run] of cases) {
    await run();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${label} | ${times[2]!.toFixed(0)} | ${times[0]!.toFixed(0)} |`);
  }
} finally {
  await db.close();
  if (!opts.keep) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  else console.log(`kept database ${name}`);
  await admin.end();
}
