// What executing an operation would cost, from the document and its variables, before any resolver
// (or the token lookup) runs. graphql-query-complexity walks the operation, follows fragments, applies
// @skip/@include and coerces arguments; our estimator says what a field costs: 1, and for a connection
// (a field with first/last) its selection once per row it may return. Lists nest, so costs multiply.
// The same walk sees every first/last with its variables resolved, which is where the page size (and
// first with last, which has no single meaning) is checked, in the resolvers' words (schema/pagination.ts).
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { getOperationAST, getVariableValues, GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { pageArgsProblem } from '../../schema/pagination.ts';
import { limitError } from './limit-error.ts';

export interface CostCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  variables: Record<string, unknown> | null | undefined;
  operationName: string | null | undefined;
  maxCost: number;
  maxPageSize: number;
}

// A walk this long means fragments spread into each other over and over: refused as too complex
// rather than counted to the end.
const MAX_NODES = 20_000;

/** The only arguments the estimator reads (with @skip/@include): cost-verdicts.ts keys verdicts on their variables. */
export const COST_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last', 'ids']);

function pageEstimator(maxPageSize: number, pageErrors: GraphQLError[]): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    const paged = field.args.some((arg) => arg.name === 'first' || arg.name === 'last');
    if (!paged) {
      const ids = args.ids;
      return 1 + childComplexity * (Array.isArray(ids) ? ids.length : 1);
    }
    if (pageErrors.length === 0) {
      const size = (value: unknown) => (typeof value === 'number' ? value : null);
      const problem = pageArgsProblem({ first: size(args.first), last: size(args.last) }, maxPageSize);
      if (problem?.kind === 'size') {
        pageErrors.push(limitError('BAD_USER_INPUT', problem.message, { limit: 'maxPageSize', max: maxPageSize, measured: problem.size }));
      } else if (problem) {
        pageErrors.push(limitError('BAD_USER_INPUT', problem.message));
      }
    }
    const rows = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : maxPageSize;
    return 1 + childComplexity * Math.max(0, rows);
  };
}

/** The operation's estimated cost; throws if the walk itself is refused. */
export function operationCost(check: Omit<CostCheck, 'maxCost'>, pageErrors: GraphQLError[] = []): number {
  return getComplexity({
    schema: check.schema,
    query: check.document,
    variables: check.variables ?? {},
    operationName: check.operationName ?? undefined,
    estimators: [pageEstimator(check.maxPageSize, pageErrors)],
    maxQueryNodes: MAX_NODES,
  });
}

/**
 * The error refusing this operation (page size, then cost), or null when it may run. Variables that do
 * not fit the operation are left to execution, which refuses them with BAD_USER_INPUT before any resolver.
 */
export function costError(check: CostCheck): GraphQLError | null {
  const operation = getOperationAST(check.document, check.operationName ?? undefined);
  if (!operation) return null;
  const variables = check.variables && typeof check.variables === 'object' ? check.variables : {};
  if (getVariableValues(check.schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 }).errors) return null;
  const pageErrors: GraphQLError[] = [];
  let cost: number;
  try {
    cost = operationCost({ ...check, variables }, pageErrors);
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) {
      return limitError(
        'QUERY_TOO_COMPLEX',
        `The query is too complex to estimate (more than ${MAX_NODES} fields counted through its fragments); the cost limit is ${check.maxCost}.`,
        { limit: 'maxCost', max: check.maxCost },
      );
    }
    return null; // anything else is a mistake execution reports in its own words
  }
  if (pageErrors[0]) return pageErrors[0];
  if (cost > check.maxCost) {
    return limitError(
      'QUERY_TOO_COMPLEX',
      `The query's estimated cost is ${cost}; the limit is ${check.maxCost}. Ask for smaller pages (first/last) or fewer nested lists.`,
      { limit: 'maxCost', max: check.maxCost, measured: cost },
    );
  }
  return null;
}
