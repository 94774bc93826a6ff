// With read replicas, a mutation's reads (access checks, the payload it returns) must see the primary:
// what it is about to change, and what it just changed. Its request is pinned to the primary before
// its resolvers run (server/platform/replicas/). Requests outside the /graphql route's request state
// (the stream route's operations) get a state of their own, pinned, around their execution.
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { onPrimary, pinToPrimary } from '../platform/replicas/read-floor.ts';

export function usePrimaryForMutations(): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      if (!pinToPrimary()) setExecuteFn((executeArgs) => onPrimary(() => executeFn(executeArgs)));
    },
  };
}
