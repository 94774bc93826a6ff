// The one place that lists Pothos plugins and declares the context and scalar types.
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import { GraphQLError, Kind } from 'graphql';
import type { Context } from './context.ts';
import { decodeGlobalId, encodeGlobalId } from './global-id.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string | number };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    encodeGlobalID: (typename, id) => encodeGlobalId(typename, id),
    decodeGlobalID: (globalId) => {
      const { typename, id } = decodeGlobalId(globalId);
      return { typename, id: String(id) };
    },
    nodeTypeOptions: { description: 'An object with a global ID, fetchable with node(id) and nodes(ids).' },
    pageInfoTypeOptions: { description: 'Where a page sits in its list, and the cursors to fetch its neighbours.' },
    nodeQueryOptions: {
      description: 'Any object by its global ID; null when it does not exist or is not visible to you.',
      args: { id: { description: 'A global ID, as returned in any id field.' } },
    },
    nodesQueryOptions: {
      description: 'Many objects by global ID, in the order asked; null for any that do not exist or are not visible.',
      args: { ids: { description: 'Global IDs, as returned in id fields.' } },
    },
    idFieldOptions: { description: 'Global ID: opaque, stable, accepted by node(id).' },
    defaultConnectionTypeOptions: { description: 'A page of a list, with cursors to move through it.' },
    defaultEdgeTypeOptions: { description: 'One item of a list, with its cursor.' },
    edgesFieldOptions: { nullable: false, description: 'The items on this page, each with its cursor.' },
    pageInfoFieldOptions: { description: 'Cursors and flags for fetching the next or previous page.' },
    cursorFieldOptions: { description: 'Pass as after (or before) to fetch the items after (or before) this one.' },
    nodeFieldOptions: { nullable: false, description: 'The item.' },
    startCursorFieldOptions: { description: 'Cursor of the first item on the page.' },
    endCursorFieldOptions: { description: 'Cursor of the last item on the page; pass as after for the next page.' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether items precede this page.' },
    firstArgOptions: { description: 'Page size counting forward (default 20, at most the server maximum, 100). Not with last.' },
    lastArgOptions: { description: 'Page size counting backward from the end or from before. Not with first.' },
    afterArgOptions: { description: 'Return items after this cursor.' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
  },
});

builder.scalarType('DateTime', {
  description: 'A point in time, as an ISO-8601 string in UTC (e.g. "2026-11-21T09:30:00.000Z").',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string.');
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string.');
  return date;
}

builder.queryType({ description: 'Everything you can read. Sign in with the login mutation first.' });
builder.mutationType({ description: 'Everything you can change. Each payload returns the changed objects.' });
