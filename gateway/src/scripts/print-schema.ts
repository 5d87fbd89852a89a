import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../graphql/schema.ts';

/** Where the checked-in SDL lives: schema.graphql at the repository root. */
export const SCHEMA_FILE = fileURLToPath(new URL('../../../schema.graphql', import.meta.url));

/** The SDL of the gateway's schema, sorted so the file only changes when the schema does. */
export function printGatewaySchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

// Run as a script (npm run schema:print): write the file. Imported (the drift test): do nothing.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await writeFile(SCHEMA_FILE, printGatewaySchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
