import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';

const WEB_SRC = fileURLToPath(new URL('../../../web/src', import.meta.url));

/** Every operation the dashboard sends (graphql(`…`) blocks in web/src), each with the fragments it spreads. */
export async function dashboardOperations(): Promise<{ name: string; kind: string; document: string }[]> {
  const files = (await readdir(WEB_SRC, { recursive: true })).filter((f) => /\.tsx?$/.test(f) && !f.startsWith('gql'));
  const definitions: DefinitionNode[] = [];
  for (const file of files) {
    const source = await readFile(join(WEB_SRC, file), 'utf8');
    for (const match of source.matchAll(/graphql\(\s*\/\*\s*GraphQL\s*\*\/\s*`([\s\S]*?)`\s*\)/g))
      definitions.push(...parse(match[1]!).definitions);
  }
  const fragments = new Map(
    definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const spreads = (node: OperationDefinitionNode | FragmentDefinitionNode, into = new Set<string>()): Set<string> => {
    visit(node, {
      FragmentSpread(spread) {
        if (into.has(spread.name.value)) return;
        into.add(spread.name.value);
        spreads(fragments.get(spread.name.value)!, into);
      },
    });
    return into;
  };
  return definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((op) => ({
      name: op.name?.value ?? '(anonymous)',
      kind: op.operation,
      document: print({ kind: Kind.DOCUMENT, definitions: [op, ...[...spreads(op)].map((n) => fragments.get(n)!)] }),
    }));
}
