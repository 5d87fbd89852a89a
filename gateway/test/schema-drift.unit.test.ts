import { readFile } from 'node:fs/promises';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isIntrospectionType, isSpecifiedScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/schema.ts';
import { printGatewaySchema, SCHEMA_FILE } from '../src/scripts/print-schema.ts';

/** Every named thing in the schema that has no description, as "Type", "Type.field" or "Type.field(arg)". */
function undocumented(): string[] {
  const missing: string[] = [];
  const has = (d: string | null | undefined) => typeof d === 'string' && d.trim().length > 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (!has(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!has(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (!has(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (!has(field.description)) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (!has(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}

describe('schema.graphql', () => {
  it('matches the schema printed from the code', async () => {
    const checkedIn = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
    const printed = printGatewaySchema();
    expect(checkedIn === printed, 'schema.graphql is out of date: run npm run schema:print and commit it').toBe(true);
  });

  it('describes every type, field, argument, input field and enum value', () => {
    expect(undocumented(), 'add a description to each of these').toEqual([]);
  });
});
