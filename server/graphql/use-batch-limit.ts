// Batched requests (a JSON array of operations) get our codes and the measured count. yoga refuses them
// too, after this, but with the generic BAD_REQUEST and without saying how many operations came.
import type { Plugin } from 'graphql-yoga';
import { limitError } from '../document-limits/limit-error.ts';

export function useBatchLimit(limit: number): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (!Array.isArray(requestParserResult)) return;
          const count = requestParserResult.length;
          if (limit === 0) {
            const error = limitError(
              'BATCHING_DISABLED',
              `Batching is off on this server (GRAPHQL_BATCH_LIMIT=0): send one operation per request, not an array (this one has ${count}).`,
              { limit: 'batchLimit', max: 0, measured: count },
            );
            throw error;
          }
          if (count > limit) {
            const error = limitError('TOO_MANY_OPERATIONS', `The batch has ${count} operations; the limit is ${limit}.`, {
              limit: 'batchLimit',
              max: limit,
              measured: count,
            });
            // 413, as yoga answers it: the request is too large, not malformed.
            (error.extensions.http as { status: number }).status = 413;
            throw error;
          }
        },
      };
    },
  };
}
