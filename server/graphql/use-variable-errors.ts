// Variables that do not fit their operation are refused in graphql-js's words, whatever executes the
// operation: graphql-jit coerces variables itself and says less ('got invalid value "DONE"; Expected
// type TicketStatus' where graphql-js names the path and the enum). A client fixing its request needs
// the longer message, and the error code (BAD_USER_INPUT, HTTP 400) must not depend on GRAPHQL_JIT.
import { getOperationAST, getVariableValues, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function useVariableErrors(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      if (!operation?.variableDefinitions?.length) return;
      const coerced = getVariableValues(args.schema, operation.variableDefinitions, args.variableValues ?? {}, { maxErrors: 50 });
      if (!coerced.errors) return;
      setResultAndStopExecution({
        errors: coerced.errors.map(
          (error) =>
            new GraphQLError(error.message, {
              nodes: error.nodes,
              originalError: error.originalError,
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            }),
        ),
      });
    },
  };
}
