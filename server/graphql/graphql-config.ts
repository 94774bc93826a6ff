// How GraphQL runs: the executor, batching, GraphiQL, and the settings the schema is given.
import { z } from 'zod';
import type { LimitsConfig } from '../document-limits/limits-config.ts';
import { bool, int } from '../platform/env-schema.ts';

export interface GraphqlConfig {
  /** Execute with graphql-jit (queries compiled once per document) instead of graphql-js's interpreter. */
  jit: boolean;
  /** Operations one POST may carry as a JSON array; 0 turns batching off (the default, see README). */
  batchLimit: number;
  /** GraphiQL on GET /graphql; it needs introspection, so it follows INTROSPECTION unless set. */
  graphiql: boolean;
  /** Largest `first`/`last` a connection accepts. */
  maxPageSize: number;
  /** How long a login token stays valid. */
  tokenTtlHours: number;
  /** Adds extensions.sqlStatements to each response; for tests and for measuring, off by default. */
  exposeStatementCount: boolean;
}

export const graphqlEnv = z.object({
  GRAPHQL_JIT: bool('GRAPHQL_JIT').default(true),
  GRAPHQL_BATCH_LIMIT: int('GRAPHQL_BATCH_LIMIT', 0, 100).default(0),
  GRAPHIQL: bool('GRAPHIQL').optional(),
  MAX_PAGE_SIZE: int('MAX_PAGE_SIZE', 1, 1000).default(100),
  TOKEN_TTL_HOURS: int('TOKEN_TTL_HOURS', 1, 24 * 365).default(24 * 30),
  EXPOSE_SQL_STATEMENT_COUNT: bool('EXPOSE_SQL_STATEMENT_COUNT').default(false),
});

export function graphqlConfig(e: z.output<typeof graphqlEnv>, introspection: LimitsConfig['introspection']): GraphqlConfig {
  return {
    jit: e.GRAPHQL_JIT,
    batchLimit: e.GRAPHQL_BATCH_LIMIT,
    graphiql: e.GRAPHIQL ?? introspection !== 'off',
    maxPageSize: e.MAX_PAGE_SIZE,
    tokenTtlHours: e.TOKEN_TTL_HOURS,
    exposeStatementCount: e.EXPOSE_SQL_STATEMENT_COUNT,
  };
}
