import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { splitSqlStatements } from '../../src/storage/sql-statements.ts';

const MIGRATIONS = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));

describe('splitSqlStatements', () => {
  it('splits on semicolons outside comments, strings, identifiers and dollar quotes', () => {
    const script = `-- a comment; not a split
CREATE TABLE "a;b" (x text DEFAULT 'it''s; fine', y text DEFAULT e'\\'; still');
/* block; /* nested; */ comment */ SELECT 1;
DO $body$ BEGIN PERFORM 1; END $body$;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
SELECT $1::int;
-- trailing comment only`;
    expect(splitSqlStatements(script)).toEqual([
      `-- a comment; not a split\nCREATE TABLE "a;b" (x text DEFAULT 'it''s; fine', y text DEFAULT e'\\'; still')`,
      '/* block; /* nested; */ comment */ SELECT 1',
      'DO $body$ BEGIN PERFORM 1; END $body$',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$',
      'SELECT $1::int',
    ]);
  });

  it('splits every migration into its statements: one per ";" at a line end outside comments and bodies', async () => {
    for (const name of (await readdir(MIGRATIONS, { withFileTypes: true })).filter((d) => d.isDirectory())) {
      const sql = await readFile(join(MIGRATIONS, name.name, 'migration.sql'), 'utf8');
      // Our migrations end each statement at a line end; dollar-quoted bodies (the histogram
      // migration's DO block) hold line-end semicolons of their own.
      const outsideBodies = sql.replace(/\$(\w*)\$[\s\S]*?\$\1\$/g, '$$$$');
      const lineEnds = outsideBodies.split('\n').filter((line) => /;\s*$/.test(line.replace(/--.*$/, ''))).length;
      const statements = splitSqlStatements(sql);
      expect(statements, name.name).toHaveLength(lineEnds);
      for (const statement of statements) expect(statement.endsWith(';'), name.name).toBe(false);
    }
  });
});
