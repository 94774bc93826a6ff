// Reports how many SQL statements an operation cost, as extensions.sqlStatements (when enabled).
// The tally itself is opened around the whole HTTP request (server/app.ts), so the token lookup counts too.
import type { Plugin } from 'graphql-yoga';
import type { StatementTally } from '../platform/sql-statements.ts';

export interface StatementServerContext {
  statementTally?: StatementTally;
}

export function useStatementCount(): Plugin<StatementServerContext> {
  return {
    onExecute({ args }) {
      const tally = (args.contextValue as StatementServerContext).statementTally;
      return {
        onExecuteDone({ result, setResult }) {
          if (!tally || !('data' in result || 'errors' in result)) return;
          setResult({ ...result, extensions: { ...result.extensions, sqlStatements: tally.count } });
        },
      };
    },
  };
}
