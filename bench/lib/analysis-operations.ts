import { readFile } from 'node:fs/promises';
import {
  buildSchema,
  getNamedType,
  isInputObjectType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';

/** One analysis as the benchmark runs it: a complete GraphQL document and its variables. */
export interface AnalysisOperation {
  name: string;
  query: string;
  /** Builds the variables for a time range. */
  variables(range: { from: Date; to: Date }): Record<string, unknown>;
}

export interface OperationInputs {
  /** Values for required arguments other than the range (e.g. endpointDetail's route and method). */
  required: Record<string, unknown>;
}

/**
 * Query fields that are not analyses of the logs over any range. windowSummary is the AI
 * analyst's view of a window of at most AI_MAX_ANALYZE_WINDOW_MINUTES (the AI section's
 * concern): it refuses the bench's 24 h and 7 d ranges by design.
 */
const NOT_ANALYSES = new Set(['health', 'aiInsights', 'node', 'nodes', 'windowSummary']);
const MAX_DEPTH = 6;

/**
 * Every analysis the gateway offers, read from schema.graphql so a new analysis is benchmarked as
 * soon as it is printed into the schema: each Query field taking a `range: TimeRange` (or a
 * LogFilter, given the range as from/to), selecting every field a dashboard could ask for
 * (all leaves reachable without required arguments). A field whose required arguments are
 * unknown is returned in `skipped` rather than guessed.
 */
export async function analysisOperations(
  schemaPath: string,
  inputs: OperationInputs,
): Promise<{ operations: AnalysisOperation[]; skipped: string[] }> {
  const schema = buildSchema(await readFile(schemaPath, 'utf8'));
  const query = schema.getQueryType();
  if (!query) throw new Error(`${schemaPath} has no Query type`);
  const operations: AnalysisOperation[] = [];
  const skipped: string[] = [];
  for (const field of Object.values(query.getFields())) {
    if (NOT_ANALYSES.has(field.name)) continue;
    const rangeArg = field.args.find((a) => a.name === 'range' && getNamedType(a.type).name === 'TimeRange');
    const filterArg = field.args.find((a) => getNamedType(a.type).name === 'LogFilter');
    if (!rangeArg && !filterArg) continue;
    const args: string[] = [];
    const varDefs: string[] = [];
    const fixed: Record<string, unknown> = {};
    let unknown = false;
    for (const arg of field.args) {
      if (arg === rangeArg) {
        args.push('range: $range');
        varDefs.push(`$range: ${String(arg.type)}`);
      } else if (arg === filterArg && !rangeArg) {
        args.push(`${arg.name}: $filter`);
        varDefs.push(`$filter: ${String(arg.type)}`);
      } else if (arg.name === 'first' && !isNonNullType(arg.type)) {
        args.push('first: 50');
      } else if (isNonNullType(arg.type) && arg.defaultValue === undefined) {
        if (!(arg.name in inputs.required)) unknown = true;
        args.push(`${arg.name}: $${arg.name}`);
        varDefs.push(`$${arg.name}: ${String(arg.type)}`);
        fixed[arg.name] = inputs.required[arg.name];
      }
    }
    if (unknown) {
      skipped.push(field.name);
      continue;
    }
    const selection = selectionOf(field, 1, new Set());
    const doc = `query Bench_${field.name}(${varDefs.join(', ')}) { ${field.name}(${args.join(', ')})${selection} }`;
    operations.push({
      name: field.name,
      query: doc,
      variables: (range) => ({
        ...fixed,
        ...(rangeArg
          ? { range: { from: range.from.toISOString(), to: range.to.toISOString() } }
          : { filter: { from: range.from.toISOString(), to: range.to.toISOString() } }),
      }),
    });
  }
  return { operations, skipped };
}

function selectionOf(field: GraphQLField<unknown, unknown>, depth: number, path: Set<string>): string {
  const type = getNamedType(field.type);
  if (isLeafType(type)) return '';
  if (!isObjectType(type)) return ' { __typename }';
  return objectSelection(type, depth, path);
}

function objectSelection(type: GraphQLObjectType, depth: number, path: Set<string>): string {
  const parts: string[] = [];
  for (const child of Object.values(type.getFields())) {
    if (child.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(child.type);
    if (isLeafType(named)) {
      parts.push(child.name);
    } else if (isObjectType(named) && depth < MAX_DEPTH && !path.has(named.name) && !isInputObjectType(named)) {
      const next = new Set(path).add(type.name);
      const inner = objectSelection(named, depth + 1, next);
      if (inner) parts.push(`${child.name}${inner}`);
    }
  }
  return parts.length ? ` { ${parts.join(' ')} }` : '';
}
