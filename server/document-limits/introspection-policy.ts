// INTROSPECTION=auth: the schema is shown to signed-in users only. Who is asking is known only once the
// context is built (the token lookup), so this is checked at execution, unlike INTROSPECTION=off,
// which validation refuses before any SQL. A refused request is answered without running anything.
import { GraphQLError, visit, BREAK, type DocumentNode } from 'graphql';

const asks = new WeakMap<DocumentNode, boolean>();

/** True when the document selects __schema or __type anywhere (__typename is not introspection). */
export function asksIntrospection(document: DocumentNode): boolean {
  let found = asks.get(document);
  if (found !== undefined) return found;
  found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  asks.set(document, found);
  return found;
}

export function introspectionNeedsSignIn(): GraphQLError {
  return new GraphQLError(
    'Introspection is for signed-in users on this server (INTROSPECTION=auth): send "Authorization: Bearer <token>" (get a token from the login mutation).',
    { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } } },
  );
}
