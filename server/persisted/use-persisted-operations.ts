// Clients send a hash instead of a document: `documentId` ("sha256:<hex>" or "<hex>", POST body or GET
// query string) or Apollo's `extensions.persistedQuery.sha256Hash`. In `require` mode only known hashes
// run (production); in `allow` mode documents run too (development, GraphiQL). Built on
// @graphql-yoga/plugin-persisted-operations, with errors that carry our codes and HTTP statuses.
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { RequestParams } from '../protocol/graphql-params.ts';
import { apqHash, requestedHash, sha256Hex, type PersistedDocuments } from './persisted-documents.ts';

export type PersistedMode = 'require' | 'allow' | 'off';

function clientError(message: string, code: string, status: number) {
  return () => createGraphQLError(message, { extensions: { code, http: { status } } });
}

const errors = {
  notFound: clientError(
    'No persisted operation has this hash. Send the document itself, or a hash from the manifest the client was built with.',
    'PERSISTED_QUERY_NOT_FOUND',
    404,
  ),
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
};

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
      getPersistedOperation: (hash) => documents.get(hash) ?? null,
      customErrors: { notFound: errors.notFound, persistedQueryOnly: errors.persistedOnly, keyNotFound: errors.idRequired },
    }),
  ];
}
