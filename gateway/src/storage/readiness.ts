import type { Database, DatabaseMode } from './db.ts';

/** Whether storage can serve and store right now; `reason` is for logs, not for anonymous callers. */
export type Readiness = { ready: true; mode: DatabaseMode } | { ready: false; mode: DatabaseMode | null; reason: string };

/**
 * The one readiness check (GET /readyz and the `health` query): the database is open, the
 * migrations are applied, and it answers a trivial query now.
 */
export async function checkReadiness(database: Database | null, migrated: boolean): Promise<Readiness> {
  if (!database) return { ready: false, mode: null, reason: 'database not open' };
  if (!migrated) return { ready: false, mode: database.mode, reason: 'migrations not applied yet' };
  try {
    // Its own connection: busy analyses must not make a healthy database look unready.
    await database.healthPool.query('SELECT 1');
    return { ready: true, mode: database.mode };
  } catch (error) {
    return { ready: false, mode: database.mode, reason: `database unreachable: ${(error as Error).message}` };
  }
}
