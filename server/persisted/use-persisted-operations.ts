// Clients send a hash instead of a document: `documentId` ("sha256:<hex>" or "<hex>", POST body or GET
// query string) or Apollo's `extensions.persistedQuery.sha256Hash`. In `require` mode only known hashes
// run (production); in `allow` mode documents run too (development, GraphiQL). A hash is looked up
// among the documents of the client the request names (client-name.ts): the web client's without a
// name. Built on @graphql-yoga/plugin-persisted-operations, with errors that carry our codes and HTTP statuses.
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { RequestParams } from '../protocol/graphql-params.ts';
import { CLIENT_NAME_HEADER, CLIENT_NAME_RULE, requestClient, WEB_CLIENT, type ClientIdentity, type HeaderValue } from './client-name.ts';
import { apqHash, requestedHash, sha256Hex, type PersistedDocuments } from './persisted-documents.ts';

export type PersistedMode = 'require' | 'allow' | 'off';

function clientError(message: string, code: string, status: number) {
  return () => createGraphQLError(message, { extensions: { code, http: { status } } });
}

function notFound(client: ClientIdentity, mode: PersistedMode) {
  const who = client.named
    ? `client "${client.name}"${client.version ? ` (version ${client.version})` : ''}`
    : `the web client (${WEB_CLIENT}: a request without a ${CLIENT_NAME_HEADER} header is taken for it)`;
  const fix = client.named
    ? `Send a hash from the manifest registered for "${client.name}" (npm run operations -- push), or the ${CLIENT_NAME_HEADER} it was registered under`
    : `Third-party clients send their ${CLIENT_NAME_HEADER} header, with a hash registered for them`;
  return createGraphQLError(
    `No persisted operation with this hash is registered for ${who}. ${fix}${mode === 'allow' ? ', or the document itself' : ''}.`,
    { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', client: client.name, http: { status: 404 } } },
  );
}

const errors = {
  persistedOnly: clientError(
    'This server runs persisted operations only: send documentId (the SHA-256 of a shipped document) instead of query.',
    'PERSISTED_QUERY_ONLY',
    400,
  ),
  idRequired: clientError(
    'Send the operation: documentId "sha256:<64 hex digits>" (or extensions.persistedQuery.sha256Hash), or query where documents are allowed.',
    'PERSISTED_QUERY_NOT_FOUND',
    400,
  ),
  hashMismatch: clientError('extensions.persistedQuery.sha256Hash is not the SHA-256 of query.', 'BAD_USER_INPUT', 400),
  tooLarge: clientError('This document is too large to register as a persisted query; send it as query.', 'BAD_USER_INPUT', 413),
  badClient: clientError(`The ${CLIENT_NAME_HEADER} header must be ${CLIENT_NAME_RULE}.`, 'BAD_USER_INPUT', 400),
};

/** The client a yoga request names; a malformed name is the client's mistake (400). */
function clientOf(request: Request): ClientIdentity {
  const client = requestClient((name) => request.headers.get(name));
  if (client === 'invalid') throw errors.badClient();
  return client;
}

export function usePersisted(mode: PersistedMode, documents: PersistedDocuments): Plugin[] {
  if (mode === 'off') return [];
  // A document sent with its APQ hash: the hash must match, and (APQ on, allow mode) it is remembered.
  const register: Plugin = {
    onParams({ params }) {
      const hash = apqHash(params.extensions);
      if (!params.query || !hash || mode !== 'allow') return;
      if (sha256Hex(params.query) !== hash) throw errors.hashMismatch();
      if (documents.register(hash, params.query) === 'too-large') throw errors.tooLarge();
    },
  };
  return [
    register,
    usePersistedOperations({
      allowArbitraryOperations: mode === 'allow',
      // Our request parser (server/protocol/graphql-params.ts) keeps documentId, from a GET query string too.
      extractPersistedOperationId: (params) => requestedHash(params as RequestParams),
      getPersistedOperation: (hash, request) => documents.get(hash, clientOf(request).name) ?? null,
      customErrors: {
        notFound: ({ request }) => notFound(clientOf(request), mode),
        persistedQueryOnly: errors.persistedOnly,
        keyNotFound: errors.idRequired,
      },
    }),
  ];
}

/**
 * The same gate for a request yoga's parameter hooks never see (an operation added to a single-connection
 * stream, server/http/stream-route.ts): the document it may run, from its hash or (not in require mode)
 * its text. Throws the error the plugin above would.
 */
export function persistedDocument(
  mode: PersistedMode,
  documents: PersistedDocuments,
  params: { query?: unknown; documentId?: unknown; extensions?: unknown },
  header: (name: string) => HeaderValue,
): string | undefined {
  const query = typeof params.query === 'string' && params.query !== '' ? params.query : undefined;
  if (mode === 'off') return query;
  if (query) {
    if (mode === 'require') throw errors.persistedOnly();
    return query;
  }
  const hash = requestedHash(params);
  if (!hash) throw errors.idRequired();
  const client = requestClient(header);
  if (client === 'invalid') throw errors.badClient();
  const document = documents.get(hash, client.name);
  if (document === undefined) throw notFound(client, mode);
  return document;
}
