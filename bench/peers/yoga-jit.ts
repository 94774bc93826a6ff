// Peer: deskgraph's yoga with @envelop/graphql-jit, response cache off.
// node --import tsx bench/peers/yoga-jit.ts — contract in bench/peers/lib/runtime.ts.
//
// server/app.ts createApp takes no extra plugins, so this builds the same yoga here: the same options
// (masked errors, CORS, no batching) and server/'s plugins in createApp's order — persisted
// operations, error codes, viewer + loaders (server/use-viewer.ts), the response cache's per-request
// part with no store (which gives resolvers ctx.cache; RESPONSE_CACHE=false does the same), conditional
// GET — plus useGraphQlJit. So it is deskgraph with RESPONSE_CACHE=false plus JIT; the HTTP layer in
// front of yoga (body-size check, response compression, metrics) is left out: the benchmark sends
// no Accept-Encoding, and the metrics only observe. A seam in server/ that would make this file
// unnecessary: `AppOptions.extraPlugins` appended to yoga's plugin list in createApp.
import { createServer } from 'node:http';
import { createYoga } from 'graphql-yoga';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { schema } from '../../schema/index.ts';
import type { Context } from '../../schema/context.ts';
import { loadPersistedDocuments } from '../../server/app.ts';
import { useDeskgraphResponseCache } from '../../server/cache/use-response-cache.ts';
import { DocumentFactsRegistry } from '../../server/cache/document-facts.ts';
import { maskedErrors } from '../../server/errors.ts';
import { useConditionalGet } from '../../server/http/conditional-get.ts';
import { corsOptions } from '../../server/http/cors.ts';
import { createMetrics } from '../../server/metrics.ts';
import { usePersisted } from '../../server/persisted/use-persisted-operations.ts';
import { useErrorCodes } from '../../server/use-error-codes.ts';
import { useViewer } from '../../server/use-viewer.ts';
import { counted, runPeer, sendJson, serveSideRoutes } from './lib/runtime.ts';

runPeer('yoga-jit', async (runtime) => {
  const { config, database, logger } = runtime;
  const persistedDocuments = await loadPersistedDocuments(config);
  const yoga = createYoga<object, Context>({
    schema,
    logging: logger.child({ component: 'yoga' }),
    maskedErrors,
    graphiql: false,
    landingPage: false,
    cors: corsOptions,
    batching: false,
    plugins: [
      ...usePersisted(config.persisted.mode, persistedDocuments),
      useErrorCodes(),
      useViewer({ prisma: database.prisma, settings: runtime.settings, viewers: null }),
      ...useDeskgraphResponseCache({
        schema,
        store: null,
        facts: new DocumentFactsRegistry(),
        config: config.cache,
        metrics: createMetrics(),
        warmer: null,
      }),
      useConditionalGet(),
      useGraphQlJit(),
    ],
  });

  const server = createServer((req, res) =>
    counted(async () => {
      try {
        const side = serveSideRoutes(runtime, req, res);
        if (side === true || (side !== false && (await side))) return;
        await yoga.handle(req, res);
      } catch (error) {
        logger.error({ err: error }, 'request failed outside GraphQL');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else res.destroy();
      }
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  return {
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await yoga.dispose();
    },
  };
});
