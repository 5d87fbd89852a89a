import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/storage/db.ts';
import { applyMigrations } from '../../src/storage/migrate.ts';
import { createTestStorage, STORAGE_MODES, type TestStorage } from '../support/databases.ts';

/**
 * prisma/schema.prisma (read by the Prisma client and the Pothos types) and the SQL migrations
 * (what the gateway applies) must describe the same tables. `prisma migrate diff` would say so,
 * but it needs Prisma's native schema engine, which cannot be downloaded here or in CI; this
 * compares the schema file with the migrated database's catalogue instead: every table, column,
 * nullability, array-ness and type family.
 */

interface ColumnShape {
  type: string;
  nullable: boolean;
  array: boolean;
}
type TableShapes = Map<string, Map<string, ColumnShape>>;

/** Prisma scalar -> the PostgreSQL types it may be stored as (native types narrow them). */
const TYPE_FAMILIES: Record<string, string[]> = {
  String: ['text', 'character varying', 'uuid'],
  Int: ['integer', 'smallint'],
  BigInt: ['bigint'],
  Float: ['double precision', 'real'],
  Boolean: ['boolean'],
  DateTime: ['timestamp with time zone', 'timestamp without time zone'],
  Json: ['jsonb', 'json'],
  Bytes: ['bytea'],
};
const NATIVE: Record<string, string> = {
  SmallInt: 'smallint',
  Uuid: 'uuid',
  Timestamptz: 'timestamp with time zone',
  Integer: 'integer',
  Text: 'text',
};

/** Tables and columns as schema.prisma declares them (relation fields skipped: they are not columns). */
function parsePrismaSchema(text: string): TableShapes {
  const tables: TableShapes = new Map();
  const models = new Set([...text.matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1]!));
  for (const block of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const body = block[2]!;
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? block[1]!;
    const columns = new Map<string, ColumnShape>();
    for (const line of body.split('\n')) {
      const m = /^\s*(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!m || line.trim().startsWith('//') || line.trim().startsWith('@@')) continue;
      const [, field, type, list, optional, attrs] = m as unknown as [
        string,
        string,
        string,
        string | undefined,
        string | undefined,
        string,
      ];
      if (models.has(type)) continue;
      const column = /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? field;
      const native = /@db\.(\w+)/.exec(attrs)?.[1];
      columns.set(column, {
        type: native ? (NATIVE[native] ?? native.toLowerCase()) : type,
        nullable: optional === '?',
        array: list === '[]',
      });
    }
    tables.set(table, columns);
  }
  return tables;
}

/** Tables and columns of the migrated database (partitions of a table count as the table). */
async function readCatalogue(db: Database): Promise<TableShapes> {
  const { rows } = await db.pool.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    udt_name: string;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.udt_name
       FROM information_schema.columns c
       JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = 'public'::regnamespace
      WHERE c.table_schema = 'public' AND NOT k.relispartition AND c.table_name <> '_prisma_migrations'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  const tables: TableShapes = new Map();
  for (const r of rows) {
    const array = r.data_type === 'ARRAY';
    const elementTypes: Record<string, string> = { _int2: 'smallint', _int4: 'integer', _int8: 'bigint', _text: 'text', _uuid: 'uuid' };
    const type = array ? (elementTypes[r.udt_name] ?? r.udt_name) : r.data_type;
    if (!tables.has(r.table_name)) tables.set(r.table_name, new Map());
    tables.get(r.table_name)!.set(r.column_name, { type, nullable: r.is_nullable === 'YES', array });
  }
  return tables;
}

describe.each(STORAGE_MODES)('schema.prisma matches the SQL migrations (%s)', (mode) => {
  let storage: TestStorage;
  let db: Database;
  let declared: TableShapes;
  let migrated: TableShapes;

  beforeAll(async () => {
    storage = await createTestStorage(mode);
    db = await openDatabase({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir });
    await applyMigrations(db.pool);
    declared = parsePrismaSchema(await readFile(new URL('../../../prisma/schema.prisma', import.meta.url), 'utf8'));
    migrated = await readCatalogue(db);
  });
  afterAll(async () => {
    await db?.close();
    await storage?.drop();
  });

  it('declares exactly the tables the migrations create', () => {
    expect([...declared.keys()].sort()).toEqual([...migrated.keys()].sort());
  });

  it('declares every column with its nullability, array-ness and type', () => {
    const problems: string[] = [];
    for (const [table, columns] of migrated) {
      const model = declared.get(table);
      if (!model) continue;
      const names = new Set([...columns.keys(), ...model.keys()]);
      for (const name of names) {
        const actual = columns.get(name);
        const expected = model.get(name);
        if (!actual || !expected) {
          problems.push(`${table}.${name}: ${actual ? 'missing from schema.prisma' : 'not created by the migrations'}`);
          continue;
        }
        // Prisma cannot declare a scalar list optional (and creates list columns without NOT NULL).
        if (!actual.array && actual.nullable !== expected.nullable) problems.push(`${table}.${name}: nullable ${actual.nullable} in SQL`);
        if (actual.array !== expected.array) problems.push(`${table}.${name}: array ${actual.array} in SQL`);
        const allowed = TYPE_FAMILIES[expected.type] ?? [expected.type];
        if (!allowed.includes(actual.type)) problems.push(`${table}.${name}: ${actual.type} in SQL, ${expected.type} in schema.prisma`);
      }
    }
    expect(problems).toEqual([]);
  });
});
