// Refuses hostile documents before any database work, in three places of yoga's request path:
//   parse     — the token budget (token-limit.ts);
//   validate  — depth, aliases, directives, repeated fields, introspection (document-rules.ts), run
//               before graphql-js's own rules so a refused document never reaches the costly ones;
//               the verdict is cached with the document by yoga's validation cache;
//   context   — cost and page size (query-cost.ts), which depend on the variables and so cannot be
//               cached with the document. This plugin's onContextBuilding must come before useViewer's
//               in the plugin list: throwing here means the token lookup never runs.
import { GraphQLError, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { costError } from './query-cost.ts';
import { asksIntrospection, introspectionNeedsSignIn } from './introspection-policy.ts';
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
  // A document without variables costs the same every time: its verdict is kept with the parsed
  // document (yoga's parse cache hands out the same object for the same text), saving the walk on
  // every later request.
  const constant = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();
  const check = (schema: GraphQLSchema, document: DocumentNode, params: ValidatedContext['params']): GraphQLError | null => {
    const run = () =>
      costError({ schema, document, variables: params?.variables, operationName: params?.operationName, maxCost: limits.maxCost, maxPageSize });
    const hasVariables = document.definitions.some((d) => d.kind === 'OperationDefinition' && d.variableDefinitions?.length);
    if (hasVariables) return run();
    const key = params?.operationName ?? '';
    let verdicts = constant.get(document);
    if (!verdicts) constant.set(document, (verdicts = new Map()));
    if (!verdicts.has(key)) verdicts.set(key, run());
    const kept = verdicts.get(key)!;
    // a copy per request: the error travels through yoga, which may add to it
    return kept && new GraphQLError(kept.message, { extensions: { ...kept.extensions, http: { ...(kept.extensions.http as object) } } });
  };
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
      const error = check(checked.schema, checked.document, params);
      if (error) throw error;
    },
    onExecute({ args, setResultAndStopExecution }) {
      if (limits.introspection !== 'auth' || !asksIntrospection(args.document)) return;
      if (!(args.contextValue as { viewer?: unknown }).viewer) setResultAndStopExecution({ errors: [introspectionNeedsSignIn()] });
    },
  };
}
