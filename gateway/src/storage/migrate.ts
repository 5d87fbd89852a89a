import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withTransaction } from './db.ts';
import { distributeTables, ensureKeyIndexes, isCitus, isDistributed } from './citus.ts';
import { splitSqlStatements } from './sql-statements.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));
// Any constant works; it only has to be the same for every gateway replica.
const MIGRATION_LOCK_KEY = 7_403_118_221;

/**
 * Applies prisma/migrations/<name>/migration.sql in name order, each in its own transaction,
 * recording them in Prisma's `_prisma_migrations` table so `prisma migrate deploy` (where the
 * schema engine is available) agrees about what is applied. Replicas starting together are
 * serialised by an advisory lock. Returns the names applied by this call.
 *
 * On Citus (the extension present), three things differ, so that a populated cluster upgrades:
 * statements go one at a time (see splitSqlStatements), the transaction touches shards over one
 * connection per worker (`citus.multi_shard_modify_mode = sequential`: Citus refuses to create a
 * function, which it propagates to the workers, after a parallel multi-shard statement in the
 * same transaction), and once logpulse's tables are distributed a migration's `citus.sql`, when
 * it has one, replaces its `migration.sql` (for DDL that cannot apply to a distributed table as
 * written, e.g. a primary key without the distribution column). The checksum recorded is
 * always migration.sql's, the file Prisma compares.
 */
export async function applyMigrations(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  // A read replica (hot standby) or read-only database cannot be migrated: a query-only gateway
  // there is ready once the primary's migrations have replicated to it.
  const readOnly = await pool.query<{ ro: boolean }>(`SELECT current_setting('transaction_read_only') = 'on' AS ro`);
  if (readOnly.rows[0]?.ro) {
    const done = await pool
      .query<{ migration_name: string }>(
        'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      )
      .catch(() => ({ rows: [] }));
    const missing = names.filter((name) => !done.rows.some((r) => r.migration_name === name));
    if (missing.length > 0)
      throw new Error(`read-only database lacks migrations ${missing.join(', ')}: start a gateway on the primary first`);
    return [];
  }
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const done = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(done.rows.map((r) => r.migration_name));
    const citus = await isCitus(client);
    if (citus) await client.query(`SET LOCAL citus.multi_shard_modify_mode TO 'sequential'`);
    const newlyApplied: string[] = [];
    for (const name of names) {
      if (applied.has(name)) continue;
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      const citusSql = citus && (await isDistributed(client, 'logs')) ? await readOptional(join(dir, name, 'citus.sql')) : null;
      for (const statement of splitSqlStatements(citusSql ?? sql)) await client.query(statement);
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES ($1, $2, now(), $3, 1)`,
        [randomUUID(), createHash('sha256').update(sql).digest('hex'), name],
      );
      newlyApplied.push(name);
    }
    // On Citus, under the same lock: tables a migration created are distributed before any
    // gateway writes to them.
    await distributeTables(client);
    await ensureKeyIndexes(client);
    return newlyApplied;
  });
}

async function readOptional(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
}
