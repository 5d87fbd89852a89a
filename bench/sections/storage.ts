import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { compactRollups } from '@logpulse/gateway/storage/rollup-compaction';
import { startGateway } from '@logpulse/testkit/gateway-process';
import { buildBodies, runIngestLoad } from '../lib/ingest-load.ts';
import { createScratchDatabase, dropScratchDatabase, scratchName } from '../lib/scratch-db.ts';

export interface TableStorage {
  table: string;
  rows: number;
  /** Main fork (the rows themselves), free-space and visibility maps. */
  heapBytes: number;
  /** Out-of-line values (long user agents, JSON) and the TOAST index. */
  toastBytes: number;
  indexes: { name: string; bytes: number }[];
  totalBytes: number;
}

export interface StorageResult {
  records: number;
  hours: number;
  tables: TableStorage[];
  totalBytes: number;
  bytesPerRecord: number;
}

export interface StorageOptions {
  records: number;
  log: (line: string) => void;
}

/**
 * Bytes on disk per record (DESIGN.md §6: ≤ 300, indexes included), split by table and index.
 * The records go through the real ingest path (a gateway process on a scratch PostgreSQL
 * database, gzip json_lines bodies as Fluent Bit sends them) over the last 24 h; then the
 * endpoint rollups are compacted and the tables vacuumed, as the gateway and autovacuum would,
 * so the sizes are those of a settled database.
 */
export async function benchStorage(options: StorageOptions): Promise<StorageResult> {
  const hours = 24;
  const to = Date.now();
  const from = to - hours * 3_600_000;
  options.log(`storage: building ${options.records.toLocaleString('en')} records over ${hours} h`);
  const bodies = await buildBodies({ count: options.records, from, to, minBatch: 500, maxBatch: 2000, seed: 7, idPrefix: 's' });
  const database = scratchName('storage');
  const url = await createScratchDatabase(database);
  const dataDir = await mkdtemp(join(tmpdir(), 'logpulse-bench-storage-'));
  const gateway = await startGateway({ databaseUrl: url, dataDir });
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const run = await runIngestLoad({ url: gateway.url, bodies, concurrency: 4, durationMs: 3_600_000 });
    if (run.failures > 0 || run.accepted !== options.records) {
      throw new Error(`ingest stored ${run.accepted} of ${options.records} records (${run.failures} failed requests: ${run.firstError})`);
    }
    await gateway.stop();
    // Every settled bucket (the last few minutes stay with the fine rollups, as in production).
    while ((await compactRollups(pool)) > 0);
    await pool.query('VACUUM (ANALYZE)');
    const tables = await tableSizes(pool);
    const totalBytes = tables.reduce((sum, t) => sum + t.totalBytes, 0);
    const result = { records: options.records, hours, tables, totalBytes, bytesPerRecord: totalBytes / options.records };
    options.log(
      `storage: ${(totalBytes / 1e6).toFixed(1)} MB for ${options.records.toLocaleString('en')} records = ${result.bytesPerRecord.toFixed(0)} bytes/record`,
    );
    return result;
  } finally {
    await gateway.stop();
    await pool.end();
    await rm(dataDir, { recursive: true, force: true });
    await dropScratchDatabase(database);
  }
}

async function tableSizes(pool: pg.Pool): Promise<TableStorage[]> {
  const { rows: tables } = await pool.query<{ table: string; rows: string; heap: string; toast: string; total: string }>(
    `SELECT c.relname AS table, c.reltuples::bigint::text AS rows,
            pg_table_size(c.oid) - coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) AS heap,
            coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) AS toast,
            pg_total_relation_size(c.oid) AS total
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations'
      ORDER BY pg_total_relation_size(c.oid) DESC`,
  );
  const { rows: indexes } = await pool.query<{ table: string; name: string; bytes: string }>(
    `SELECT t.relname AS table, i.relname AS name, pg_relation_size(i.oid) AS bytes
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' ORDER BY pg_relation_size(i.oid) DESC`,
  );
  return tables.map((t) => ({
    table: t.table,
    rows: Math.max(0, Number(t.rows)),
    heapBytes: Number(t.heap),
    toastBytes: Number(t.toast),
    indexes: indexes.filter((i) => i.table === t.table).map((i) => ({ name: i.name, bytes: Number(i.bytes) })),
    totalBytes: Number(t.total),
  }));
}
