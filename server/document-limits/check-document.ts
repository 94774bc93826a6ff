// Runs one document through every limit, as the server would, without a server: for tests that keep
// the shipped client's documents within the defaults.
import { specifiedRules, validate, type GraphQLError, type GraphQLSchema } from 'graphql';
import { costError, operationCost } from './query-cost.ts';
import { documentLimitRules } from './document-rules.ts';
import type { LimitsConfig } from './limits-config.ts';
import { parseWithTokenLimit } from './max-tokens.ts';

export interface DocumentCheck {
  errors: GraphQLError[];
  /** The estimated cost, when the document got that far. */
  cost: number | null;
}

export function checkDocument(
  schema: GraphQLSchema,
  source: string,
  options: { limits: LimitsConfig; maxPageSize: number; variables?: Record<string, unknown>; operationName?: string },
): DocumentCheck {
  let document;
  try {
    document = parseWithTokenLimit(options.limits.maxTokens)(source);
  } catch (error) {
    return { errors: [error as GraphQLError], cost: null };
  }
  const refused = validate(schema, document, documentLimitRules(options.limits));
  if (refused.length) return { errors: [...refused], cost: null };
  const invalid = validate(schema, document, specifiedRules);
  if (invalid.length) return { errors: [...invalid], cost: null };
  const check = { schema, document, variables: options.variables, operationName: options.operationName, maxPageSize: options.maxPageSize };
  const error = costError({ ...check, maxCost: options.limits.maxCost });
  let cost: number | null = null;
  try {
    cost = operationCost({ ...check, variables: options.variables ?? {} });
  } catch {
    // variables that do not fit: execution's error, not a limit's
  }
  return { errors: error ? [error] : [], cost };
}
