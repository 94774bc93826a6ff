// An operation of a type the schema has no root for is a client mistake and must be refused as one:
// 400 GRAPHQL_VALIDATION_FAILED. graphql-js 16 lets it through validation (17 adds this rule as
// KnownOperationTypesRule), and then graphql-jit fails to compile it (a 500 INTERNAL_SERVER_ERROR) while
// graphql-js's executor answers 200 with an error that has no code. Today the schema has all three
// roots; this keeps the answer right for a schema built without one (the subscription root came late).
import { GraphQLError, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const knownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(new GraphQLError(`This schema has no ${node.operation} operations: send a query or a mutation.`, { nodes: node }));
  },
});

export function useKnownOperationTypes(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(knownOperationTypes);
    },
  };
}
