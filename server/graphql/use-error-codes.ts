// Gives every error graphql-js raises on its own a stable extensions.code, as our resolvers' errors
// have: syntax errors, documents that do not validate, and variables of the wrong type.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

type Code = 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' | 'BAD_USER_INPUT';

function withCode(error: GraphQLError, code: Code): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/** The result with BAD_USER_INPUT on its variable errors: variables are coerced before any resolver runs, so theirs carry no path. */
export function withVariableErrorCodes<R extends { errors?: readonly GraphQLError[] }>(result: R): R {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) =>
    !error.path && /^Variable "\$/.test(error.message) ? withCode(error, 'BAD_USER_INPUT') : error,
  );
  return { ...result, errors };
}

export function useErrorCodes(): Plugin {
  return {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result instanceof GraphQLError) replaceParseResult(withCode(result, 'GRAPHQL_PARSE_FAILED'));
      };
    },
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length) setResult(result.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors?.length) return;
          setResult(withVariableErrorCodes(result));
        },
      };
    },
  };
}
