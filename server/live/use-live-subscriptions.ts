// Subscriptions and live queries (`query @live`) through yoga's GraphQL-over-SSE (the graphql-sse
// protocol, distinct connections): this plugin replaces graphql-js's subscribe for every subscription,
// and execute for every live query, with the live hub (live-hub.ts). Each execution runs the operation's
// own selection as a query would run for the subscriber: the same resolvers and authorization, fresh
// loaders (a loader caches for its request, and a subscription outlives many writes), and the
// resolvers' cache tags collected to know what to wait for. Everything before execution — persisted
// operations, document limits, the token — is the request path's, unchanged.
import { execute, getOperationAST, GraphQLError, print, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.ts';
import type { Loaders } from '../../schema/loaders.ts';
import type { Viewer } from '../../identity/viewer.ts';
import type { ViewerServerContext } from '../auth/use-viewer.ts';
import { documentHash, responseKey, visibilityScope } from '../cache/cache-key.ts';
import { analyzeDocument } from '../cache/document-facts.ts';
import { withVariableErrorCodes } from '../graphql/use-error-codes.ts';
import type { StreamServerContext } from './use-single-connection.ts';
import { acceptsEventStream } from '../protocol/negotiation.ts';
import type { LiveHub, LiveRun } from './live-hub.ts';
import { resultTags } from './result-tags.ts';
import { withGroupTags } from '../../schema/cache-tags.ts';

export interface LiveSubscriptionsOptions {
  /** null when LIVE_UPDATES=false: every subscription is refused. */
  hub: LiveHub | null;
  /** Fresh loaders for one execution, as the request path makes them for one request. */
  loaders(viewer: Viewer | null): Loaders;
}

// Tags are collected by the execution itself; a subscription invalidates nothing.
function collectingCache(tags: Set<string>): Context['cache'] {
  return {
    tag: (...added) => {
      for (const tag of added) tags.add(tag);
    },
    invalidate: () => Promise.reject(new Error('a subscription cannot invalidate')),
  };
}

function runner(
  schema: GraphQLSchema,
  args: ExecutionArgs,
  base: Context,
  loaders: LiveSubscriptionsOptions['loaders'],
  fieldGroups: Readonly<Record<string, readonly string[]>>,
) {
  // Only what resolvers read: a group outlives the request that opened it, and must not hold it.
  const { prisma, viewer, settings, tokenHash } = base;
  const { document, variableValues, operationName, rootValue } = args;
  return async (): Promise<LiveRun> => {
    const tags = new Set<string>();
    const contextValue: Context = { prisma, viewer, settings, tokenHash, loaders: loaders(viewer), cache: collectingCache(tags) };
    // Subscriptions do not pass through onExecute, where useErrorCodes gives variable errors their code.
    const result = withVariableErrorCodes(await execute({ schema, document, variableValues, operationName, rootValue, contextValue }));
    for (const tag of resultTags(result.data)) tags.add(tag);
    // As a cached response of the same document: it wakes on an update only if it reads what one changed.
    return { result, tags: withGroupTags(tags, fieldGroups) };
  };
}

function liveUpdatesOff(): GraphQLError {
  return new GraphQLError('Live updates are off on this server (LIVE_UPDATES=false): query instead.', {
    extensions: { code: 'LIVE_UPDATES_OFF' },
  });
}

function eventStreamRequired(): GraphQLError {
  return new GraphQLError(
    'A subscription or a live query is answered with a stream of events: send "Accept: text/event-stream" (GraphQL over SSE, the graphql-sse protocol).',
    { extensions: { code: 'EVENT_STREAM_REQUIRED', http: { status: 406 } } },
  );
}

/** Whether an operation is a `query @live` (schema/live.ts). */
function isLiveQuery(args: Pick<ExecutionArgs, 'document' | 'operationName'>): boolean {
  const operation = getOperationAST(args.document, args.operationName ?? undefined);
  return operation?.operation === 'query' && (operation.directives?.some((directive) => directive.name.value === 'live') ?? false);
}

export function useLiveSubscriptions({ hub, loaders }: LiveSubscriptionsOptions) {
  // A subscription and a live query open the same way: a group of the hub, executing the operation as its viewer.
  const open = async (args: ExecutionArgs) => {
    const opened = await openInHub(args);
    // graphql-sse's handler takes a result without `data` for execution arguments (and answers 400
    // "Unable to detect operation AST"): a refusal on a protocol-managed stream says `data: null`.
    if ((args.contextValue as StreamServerContext).eventStream && !(Symbol.asyncIterator in opened) && !('data' in opened)) {
      return { data: null, ...opened };
    }
    return opened;
  };
  const openInHub = async (args: ExecutionArgs) => {
    if (!hub) return { errors: [liveUpdatesOff()] };
    const ctx = args.contextValue as Context & StreamServerContext & { params?: { query?: string }; request: Request };
    // Refused before anything opens: a stream the response cannot carry would never be read, nor closed.
    // On /graphql/stream the protocol carries it (an operation POSTed onto a single-connection stream).
    if (!ctx.eventStream && !acceptsEventStream(ctx.request.headers.get('accept') ?? undefined)) return { errors: [eventStreamRequired()] };
    const operationName = args.operationName ?? null;
    const facts = analyzeDocument(args.schema, args.document, operationName);
    // Same key as the response cache's: one group per (document, operation, variables, scope).
    const key = responseKey(
      documentHash(ctx.params?.query ?? print(args.document)),
      operationName,
      args.variableValues,
      visibilityScope(ctx.viewer, facts?.visibility ?? 'user'),
    );
    const tokenExpiresAt = (ctx as Partial<ViewerServerContext>).tokenExpiresAt ?? null;
    return hub.subscribe({
      key,
      tokenHash: ctx.tokenHash,
      tokenExpiresAt,
      run: runner(args.schema, args, ctx, loaders, facts?.fieldGroups ?? {}),
    });
  };
  const plugin: Plugin<Context> = {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(open);
    },
    // After graphql-jit's and before the response cache's onExecute (which never caches a live query).
    onExecute({ args, setExecuteFn }) {
      if (isLiveQuery(args)) setExecuteFn(open);
    },
    // Proxies (nginx) buffer responses unless told not to; an event held in a buffer is a late event.
    onResponse({ response }) {
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) response.headers.set('x-accel-buffering', 'no');
    },
  };
  return plugin;
}
