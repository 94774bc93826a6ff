// What a ticket list's query asks of each ticket, read from the operation before the page is read: the
// page's statement then brings those relations along (list-sql.ts). Only a guess at what to read: the
// resolvers ask the loaders as always, and a relation read along is used only when its key matches what
// a resolver asks (a comments window read along serves only a connection with exactly that window).
import { getArgumentValues, GraphQLObjectType, Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { pageWindow, type PageArgs, type PageWindow } from '../pagination.ts';
import type { AskedRelations } from './list-sql.ts';

/** The fields called `name` in a selection set, through inline fragments and fragment spreads. */
function fieldsNamed(set: SelectionSetNode | undefined, name: string, info: GraphQLResolveInfo, into: FieldNode[] = []): FieldNode[] {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) into.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fieldsNamed(selection.selectionSet, name, info, into);
    } else {
      fieldsNamed(info.fragments[selection.name.value]?.selectionSet, name, info, into);
    }
  }
  return into;
}

const within = (fields: FieldNode[], name: string, info: GraphQLResolveInfo) =>
  fields.flatMap((field) => fieldsNamed(field.selectionSet, name, info));

/** One window when every comments selection asks the same first page (no cursor), else null. */
function commentsWindow(fields: FieldNode[], info: GraphQLResolveInfo, maxPageSize: number): PageWindow | null {
  const ticket = info.schema.getType('Ticket');
  const comments = ticket instanceof GraphQLObjectType ? ticket.getFields().comments : undefined;
  if (!fields.length || !comments) return null;
  const asked = fields.map((field) => getArgumentValues(comments, field, info.variableValues) as PageArgs);
  const first = JSON.stringify(asked[0]);
  if (asked.some((args) => JSON.stringify(args) !== first) || asked[0]!.after != null || asked[0]!.before != null) return null;
  try {
    return pageWindow(asked[0]!, maxPageSize);
  } catch {
    return null; // a bad page size: each comments field reports it as it would have
  }
}

/** What the tickets of the list `info` resolves are asked for (edges → node → …). */
export function askedRelations(info: GraphQLResolveInfo, maxPageSize: number): AskedRelations {
  const nodes = within(within(info.fieldNodes as FieldNode[], 'edges', info), 'node', info);
  return {
    people: within(nodes, 'requester', info).length + within(nodes, 'assignee', info).length > 0,
    tags: within(nodes, 'tags', info).length > 0,
    comments: commentsWindow(within(nodes, 'comments', info), info, maxPageSize),
  };
}
