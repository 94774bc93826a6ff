// Pothos's relay plugin resolves every node's id through an async wrapper (its globalID field), so each
// id of a response costs a promise and a microtask turn: 800 of them in a 50-ticket list with comments,
// 7 % of its CPU. Every node type here is a row whose global ID is encodeGlobalId(type, row.id) (the
// `id: { resolve: (row) => row.id }` of each builder.node), so the built schema's id resolvers are
// replaced by that, synchronous. test/global-ids.test.ts reads ids of every node type back through node(id).
import { GraphQLInterfaceType, type GraphQLSchema } from 'graphql';
import { encodeGlobalId } from './global-id.ts';

export function syncNodeIds(schema: GraphQLSchema): GraphQLSchema {
  const node = schema.getType('Node');
  if (!(node instanceof GraphQLInterfaceType)) throw new Error('The schema has no Node interface.');
  for (const type of schema.getPossibleTypes(node)) {
    const field = type.getFields().id;
    if (!field) throw new Error(`${type.name} implements Node without an id field.`);
    const typename = type.name;
    field.resolve = (row: { id: number }) => encodeGlobalId(typename, row.id);
  }
  return schema;
}
