// Every table the migrations create has a place on a Citus cluster: distributed or reference
// (CITUS_LAYOUT) or kept on the coordinator (COORDINATOR_TABLES). A migration adding a table
// without deciding fails here, before a cluster would keep it local by accident.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CITUS_LAYOUT, COORDINATOR_TABLES } from '../../src/storage/citus.ts';

const MIGRATIONS = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));

function createdTables(): string[] {
  const names = new Set<string>();
  for (const dir of readdirSync(MIGRATIONS)) {
    const sql = readFileSync(join(MIGRATIONS, dir, 'migration.sql'), 'utf8');
    for (const m of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/gi)) names.add(m[1]!);
  }
  return [...names].sort();
}

describe('Citus layout', () => {
  it('places every table the migrations create', () => {
    const placed = new Set([...CITUS_LAYOUT.map((t) => t.table), ...COORDINATOR_TABLES]);
    const tables = createdTables();
    expect(tables).toContain('logs');
    expect(tables.filter((t) => !placed.has(t))).toEqual([]);
  });

  it('co-locates each table with one listed before it', () => {
    CITUS_LAYOUT.forEach((t, i) => {
      if (t.reference || !t.colocateWith || t.colocateWith === 'none') return;
      expect(CITUS_LAYOUT.slice(0, i).map((x) => x.table)).toContain(t.colocateWith);
    });
  });
});
