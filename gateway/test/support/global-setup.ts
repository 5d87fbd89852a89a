import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/storage/db.ts';
import { applyMigrations } from '../../src/storage/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplateDir: string;
  }
}

/**
 * Creating a PGlite data directory runs initdb (4–10 s); copying one takes milliseconds. So the
 * suite creates one migrated template per run and every embedded-mode test gets a fresh copy.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'logpulse-template-'));
  const db = await openDatabase({ databaseUrl: undefined, dataDir: root });
  await applyMigrations(db.pool);
  await db.close();
  project.provide('pgliteTemplateDir', join(root, 'pglite'));
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
