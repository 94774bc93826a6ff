// Refuses hostile documents before any database work, in three places of yoga's request path:
//   parse     — the token budget (token-limit.ts);
//   validate  — depth, aliases, directives, repeated fields, introspection (document-rules.ts), run
//               before graphql-js's own rules so a refused document never reaches the costly ones;
//               the verdict is cached with the document by yoga's validation cache;
//   context   — cost and page size (query-cost.ts), which depend on the variables and so cannot be
//               cached with the document. This plugin's onContextBuilding must come before useViewer's
//               in the plugin list: throwing here means the token lookup never runs.
import { validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { costError } from './query-cost.ts';
import { documentLimitRules } from './document-rules.ts';
import type { LimitsConfig } from './limits-config.ts';
import { parseWithTokenLimit } from './token-limit.ts';

export interface QueryLimitsOptions {
  limits: LimitsConfig;
  maxPageSize: number;
}

const validated = Symbol('deskgraph.validatedDocument');

interface ValidatedContext {
  [validated]?: { schema: GraphQLSchema; document: DocumentNode };
  params?: { variables?: Record<string, unknown> | null; operationName?: string | null };
}

export function useQueryLimits({ limits, maxPageSize }: QueryLimitsOptions): Plugin {
  const parseFn = parseWithTokenLimit(limits.maxTokens);
  const rules = documentLimitRules(limits);
  return {
    onParse({ setParseFn }) {
      setParseFn(parseFn);
    },
    onValidate({ params, validateFn, setValidationFn, extendContext }) {
      extendContext({ [validated]: { schema: params.schema, document: params.documentAST } } as object);
      setValidationFn((schema, document, specified, typeInfo, options) => {
        const refused = validate(schema, document, rules, { maxErrors: 5 });
        return refused.length ? refused : validateFn(schema, document, specified, typeInfo, options);
      });
    },
    onContextBuilding({ context }) {
      const { [validated]: checked, params } = context as ValidatedContext;
      if (!checked) return;
      const error: GraphQLError | null = costError({
        schema: checked.schema,
        document: checked.document,
        variables: params?.variables,
        operationName: params?.operationName,
        maxCost: limits.maxCost,
        maxPageSize,
      });
      if (error) throw error;
    },
  };
}
