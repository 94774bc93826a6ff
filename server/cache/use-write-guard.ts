// A mutation must not commit what it cannot make every instance see: while this instance cannot reach
// Redis, its invalidations could not be delivered, and other instances would keep serving the old
// value. So mutations are refused before they write (503, Retry-After: nothing happened, a retry is
// safe). `login` changes nothing any cache holds and is let through. See server/CACHE.md.
import { getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ServiceUnavailableError } from '../../schema/errors.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { ResponseStore } from './response-store.ts';

const CACHE_FREE_MUTATIONS = new Set(['login', '__typename']);

export function useWriteGuard(store: ResponseStore | null, metrics: Metrics): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!store || store.writable) return;
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      if (operation?.operation !== 'mutation') return;
      const fields = operation.selectionSet.selections;
      if (fields.every((s) => s.kind === Kind.FIELD && CACHE_FREE_MUTATIONS.has(s.name.value))) return;
      metrics.cacheBypass.inc({ reason: 'write-refused' });
      setResultAndStopExecution({
        errors: [
          new ServiceUnavailableError(
            'This server cannot reach the shared cache right now, so it cannot make your change visible on every server: nothing was saved. Retry shortly.',
          ),
        ],
      });
    },
  };
}
