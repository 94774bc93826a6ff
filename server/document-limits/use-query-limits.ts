// Refuses hostile documents before any database work, in three places of yoga's request path:
//   parse     — the token budget (token-limit.ts);
//   validate  — depth, aliases, directives, repeated fields, introspection (document-rules.ts), run
//               before graphql-js's own rules so a refused document never reaches the costly ones;
//               the verdict is cached with the document by yoga's validation cache;
//   context   — cost and page size (query-cost.ts), which depend on the variables, so their verdict is
//               kept per document and the values of the variables the estimator reads (cost-verdicts.ts).
//               This plugin's onContextBuilding must come before useViewer's in the plugin list:
//               throwing here means the token lookup never runs.
import { validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CostVerdicts } from './cost-verdicts.ts';
import { asksIntrospection, introspectionNeedsSignIn } from './introspection-policy.ts';
import { documentLimitRules } from './document-rules.ts';
import type { LimitsConfig } from './limits-config.ts';
import { parseWithTokenLimit } from './max-tokens.ts';

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
  const costs = new CostVerdicts({ maxCost: limits.maxCost, maxPageSize });
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
      const error = costs.check(checked.schema, checked.document, params?.variables, params?.operationName);
      if (error) throw error;
    },
    onExecute({ args, setResultAndStopExecution }) {
      if (limits.introspection !== 'auth' || !asksIntrospection(args.document)) return;
      if (!(args.contextValue as { viewer?: unknown }).viewer) setResultAndStopExecution({ errors: [introspectionNeedsSignIn()] });
    },
  };
}
