import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  /** "Did you mean …?" hints leak field names; off whenever introspection is. */
  blockFieldSuggestions: boolean;
}

/**
 * Protection against expensive or hostile operations: depth, alias, token and cost limits
 * (graphql-armor), applied to HTTP and WebSocket operations alike (both go through Yoga's envelope).
 */
export function graphqlProtection(limits: GraphQLLimits): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
      maxAliases: { n: limits.maxAliases },
      costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
      maxTokens: { n: limits.maxTokens },
      maxDirectives: { n: 20 },
      blockFieldSuggestion: { enabled: limits.blockFieldSuggestions },
    }) as Plugin,
  ];
}

/**
 * Turns off `__schema` / `__type` queries (GRAPHQL_INTROSPECTION=false; the default in
 * production). `__typename` stays allowed: clients such as urql's cache rely on it.
 */
export function disableIntrospection(): Plugin {
  return {
    onValidate: ({ addValidationRule }) => {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
