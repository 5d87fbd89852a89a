import type pg from 'pg';

/**
 * How logpulse's tables are spread over a Citus cluster. Everything a query or an ingest batch
 * touches together is sharded by `service` and co-located, so a per-service analysis or a
 * rollup upsert runs on one shard and cross-service analyses run on every worker in parallel.
 * `ingest_batches` is keyed by digest alone (the idempotency check must find a digest without
 * knowing its service), and each batch's arrivals (`ingest_arrivals`) sit beside it; `rollup_dirty` is tiny and read with every rollup table, so every node
 * holds a copy. The AI tables and `_prisma_migrations` stay on the coordinator.
 */
export const CITUS_LAYOUT: readonly CitusTable[] = [
  // recentLogs pages every service by (timestamp, id): the key logs has on one node.
  { table: 'logs', by: 'service', keyIndex: ['timestamp', 'id'] },
  { table: 'rollup_minute', by: 'service', colocateWith: 'logs' },
  { table: 'rollup_hour', by: 'service', colocateWith: 'logs' },
  { table: 'rollup_endpoint_5m', by: 'service', colocateWith: 'logs' },
  { table: 'rollup_endpoint_15m', by: 'service', colocateWith: 'logs' },
  { table: 'rollup_endpoint_hour', by: 'service', colocateWith: 'logs' },
  { table: 'rollup_service_5m', by: 'service', colocateWith: 'logs' },
  { table: 'rollup_service_15m', by: 'service', colocateWith: 'logs' },
  { table: 'rollup_service_hour', by: 'service', colocateWith: 'logs' },
  { table: 'rollup_status_5m', by: 'service', colocateWith: 'logs' },
  { table: 'rollup_status_hour', by: 'service', colocateWith: 'logs' },
  { table: 'service_routes', by: 'service', colocateWith: 'logs' },
  { table: 'dead_letters', by: 'service', colocateWith: 'logs' },
  { table: 'ingest_batches', by: 'digest', colocateWith: 'none' },
  { table: 'ingest_arrivals', by: 'digest', colocateWith: 'ingest_batches' },
  { table: 'rollup_dirty', reference: true },
  // One row per bucket, no service to shard by: a few hundred rows a day, kept on every node.
  { table: 'rollup_all_5m', reference: true },
  { table: 'rollup_all_15m', reference: true },
  { table: 'rollup_all_hour', reference: true },
];

/**
 * Tables that stay on the coordinator: small, written by the AI and alerting features a row at a
 * time, and joined only with each other. Every table a migration creates is in this list or in
 * CITUS_LAYOUT (a unit test checks), so a new table gets a decision instead of staying local by
 * accident.
 */
export const COORDINATOR_TABLES: readonly string[] = [
  '_prisma_migrations',
  'ai_insights',
  'ai_usage',
  'chat_conversations',
  'chat_messages',
  'alert_channels',
  'alert_rules',
  'alert_state',
  'alert_events',
  'alert_deliveries',
  'alert_silences',
  'alert_leader',
];

export type CitusTable =
  | {
      table: string;
      by: string;
      colocateWith?: string;
      /**
       * The table's single-node primary key, kept as a plain index once the key gains the
       * distribution column (which then leads it, so it no longer serves scans across services).
       */
      keyIndex?: readonly string[];
      reference?: undefined;
    }
  | { table: string; reference: true };

/**
 * Whether the citus extension is installed in this database. app.ts asks once migrations have run
 * and keeps the answer on the Database (installing Citus takes a restart of the gateway to be
 * noticed, as it takes one of PostgreSQL).
 */
export async function isCitus(client: pg.ClientBase | pg.Pool): Promise<boolean> {
  const { rowCount } = await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`);
  return rowCount !== 0;
}

/** Whether `table` is a Citus distributed or reference table (false without Citus). */
export async function isDistributed(client: pg.ClientBase, table: string): Promise<boolean> {
  if (!(await isCitus(client))) return false;
  const { rowCount } = await client.query(`SELECT 1 FROM pg_dist_partition WHERE logicalrelid = to_regclass($1)`, [table]);
  return rowCount !== 0;
}

/**
 * Creates the `keyIndex` of every distributed table that lacks it (idempotent, run after every
 * migration pass). Clusters distributed before it existed get it on their next upgrade.
 */
export async function ensureKeyIndexes(client: pg.ClientBase): Promise<void> {
  for (const spec of CITUS_LAYOUT) {
    if (spec.reference || !spec.keyIndex || !(await isDistributed(client, spec.table))) continue;
    const name = `${spec.table}_${spec.keyIndex.join('_')}_idx`;
    const { rowCount } = await client.query(`SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`, [
      name,
    ]);
    if (rowCount !== 0) continue;
    const ident = (id: string) => client.escapeIdentifier(id);
    await client.query(`CREATE INDEX ${ident(name)} ON ${ident(spec.table)} (${spec.keyIndex.map(ident).join(', ')})`);
  }
}

/**
 * On a database with the citus extension (the operator's opt-in: `CREATE EXTENSION citus` on
 * the coordinator), turns every table of CITUS_LAYOUT that exists and is still local into a
 * distributed or reference table, copying any rows it already holds. Idempotent, so it runs
 * after every migration pass: a fresh cluster, a single-node database moved onto Citus and a
 * migration that adds a table all end up distributed. Elsewhere (plain PostgreSQL, PGlite) it
 * does nothing. Returns the tables it distributed.
 */
export async function distributeTables(client: pg.ClientBase): Promise<string[]> {
  if (!(await isCitus(client))) return [];
  const existing = await client.query<{ name: string; distributed: boolean }>(
    `SELECT c.relname AS name, EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) AS distributed
     FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND c.relname = ANY($1)`,
    [CITUS_LAYOUT.map((t) => t.table)],
  );
  const pending = new Set(existing.rows.filter((r) => !r.distributed).map((r) => r.name));
  const done: string[] = [];
  // In layout order: a table is co-located with one distributed before it.
  for (const spec of CITUS_LAYOUT) {
    if (!pending.has(spec.table)) continue;
    if (spec.reference) {
      await client.query('SELECT create_reference_table($1)', [spec.table]);
    } else {
      await includeInPrimaryKey(client, spec.table, spec.by);
      await client.query('SELECT create_distributed_table($1, $2, colocate_with => $3)', [
        spec.table,
        spec.by,
        spec.colocateWith ?? 'default',
      ]);
    }
    // The rows are in the shards now; the coordinator's own copy of them would only take space.
    await client.query('SELECT truncate_local_data_after_distributing_table($1)', [spec.table]);
    done.push(spec.table);
  }
  return done;
}

/**
 * Citus enforces a unique key only when it contains the distribution column: a primary key on
 * `id` alone becomes (`service`, `id`). Ids still come from one sequence, so they stay unique.
 */
async function includeInPrimaryKey(client: pg.ClientBase, table: string, column: string): Promise<void> {
  const { rows } = await client.query<{ name: string; columns: string[] }>(
    `SELECT con.conname AS name, array_agg(a.attname::text ORDER BY k.ord) AS columns
     FROM pg_constraint con
     CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
     WHERE con.conrelid = $1::regclass AND con.contype = 'p'
     GROUP BY con.conname`,
    [table],
  );
  const pk = rows[0];
  if (!pk || pk.columns.includes(column)) return;
  const ident = (name: string) => client.escapeIdentifier(name);
  await client.query(
    `ALTER TABLE ${ident(table)} DROP CONSTRAINT ${ident(pk.name)}, ADD CONSTRAINT ${ident(pk.name)} PRIMARY KEY (${[column, ...pk.columns].map(ident).join(', ')})`,
  );
}
