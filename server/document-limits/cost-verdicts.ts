// Remembers cost verdicts. An operation's cost depends on its document and on the few variables the
// estimator reads (page sizes, `ids`, @skip/@include conditions), not on the others: `ticket(id: $id)`
// costs the same for every id. So a verdict is kept per document (yoga's parse cache hands out the same
// object for the same text), operation name and the values of those variables alone, and the walk,
// about 4 % of an uncached small query's CPU, runs once per distinct page size rather than per request.
import { getOperationAST, getVariableValues, GraphQLError, visit, type ASTNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { COST_ARGUMENTS, costError, type CostCheck } from './query-cost.ts';

// Per document; a client cycling through page sizes must not grow it without bound.
const MAX_VERDICTS_PER_DOCUMENT = 256;
// A key this long (a huge `ids` list) is not worth keeping: computed each time.
const MAX_KEY_LENGTH = 2048;

export class CostVerdicts {
  private readonly verdicts = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();
  private readonly costVariables = new WeakMap<DocumentNode, string[]>();
  /** How many times the cost was worked out (the walk), for tests. */
  walks = 0;

  constructor(private readonly limits: Pick<CostCheck, 'maxCost' | 'maxPageSize'>) {}

  /** The error refusing this operation (page size, then cost), or null; a fresh copy per request. */
  check(schema: GraphQLSchema, document: DocumentNode, variables: unknown, operationName: string | null | undefined): GraphQLError | null {
    const values = variables && typeof variables === 'object' && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {};
    let key = operationName ?? '';
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation) return null;
    if (operation.variableDefinitions?.length) {
      // Variables that do not fit are left to execution, which refuses them in graphql-js's words.
      const coerced = getVariableValues(schema, operation.variableDefinitions, values, { maxErrors: 1 });
      if (coerced.errors) return null;
      const names = this.variablesOf(document);
      if (names.length) key += `\n${JSON.stringify(names.map((name) => coerced.coerced[name] ?? null))}`;
    }
    const run = () => {
      this.walks += 1;
      return costError({ schema, document, variables: values, operationName, ...this.limits });
    };
    if (key.length > MAX_KEY_LENGTH) return run();
    let kept = this.verdicts.get(document);
    if (!kept) this.verdicts.set(document, (kept = new Map()));
    if (!kept.has(key)) {
      if (kept.size >= MAX_VERDICTS_PER_DOCUMENT) kept.clear();
      kept.set(key, run());
    }
    const verdict = kept.get(key)!;
    // a copy per request: the error travels through yoga, which may add to it
    return (
      verdict &&
      new GraphQLError(verdict.message, { extensions: { ...verdict.extensions, http: { ...(verdict.extensions.http as object) } } })
    );
  }

  // The variables the estimator can see: inside an argument it reads, or a directive's (@skip/@include).
  private variablesOf(document: DocumentNode): string[] {
    let names = this.costVariables.get(document);
    if (names) return names;
    const found = new Set<string>();
    const collect = (node: ASTNode) => visit(node, { Variable: (variable) => void found.add(variable.name.value) });
    visit(document, {
      VariableDefinition: () => false,
      Directive(node) {
        collect(node);
        return false;
      },
      Argument(node) {
        if (COST_ARGUMENTS.has(node.name.value)) collect(node.value);
      },
    });
    names = [...found].sort();
    this.costVariables.set(document, names);
    return names;
  }
}
