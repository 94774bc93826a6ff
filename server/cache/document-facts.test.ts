// fieldGroups: which updates must evict a document's responses. Worked out from the schema's
// `cacheFieldGroups` (Ticket's in schema/ticket/ticket.ts), wherever the document selects the field.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import { analyzeDocument } from './document-facts.ts';

const ticketGroups = (query: string) => analyzeDocument(schema, parse(query))?.fieldGroups.Ticket ?? [];
const EVERY_GROUP = ['assignee', 'priority', 'status', 'text', 'touch', 'updated'];

describe('analyzeDocument: fieldGroups', () => {
  it('is empty when only fields set at creation are selected', () => {
    expect(ticketGroups('{ ticket(id: "x") { id number createdAt requester { id name } organization { name } } }')).toEqual([]);
    expect(ticketGroups('{ tickets(first: 5) { totalCount edges { node { id __typename } } } }')).toEqual([]);
  });

  it('names the group of each field selected', () => {
    expect(ticketGroups('{ ticket(id: "x") { id title status } }')).toEqual(['status', 'text']);
    expect(ticketGroups('{ ticket(id: "x") { body priority assignee { name } } }')).toEqual(['assignee', 'priority', 'text']);
    for (const field of ['commentCount', 'tags { name }', 'comments(first: 1) { totalCount }']) {
      expect(ticketGroups(`{ tickets(first: 5) { edges { node { id ${field} } } } }`), field).toEqual(['touch']);
    }
  });

  it('puts updatedAt in every group: every update moves it', () => {
    expect(ticketGroups('{ ticket(id: "x") { id updatedAt } }')).toEqual(EVERY_GROUP);
  });

  it('sees the field through fragments, inline or named, and through node', () => {
    expect(ticketGroups('{ node(id: "x") { id ... on Ticket { updatedAt } } }')).toEqual(EVERY_GROUP);
    expect(ticketGroups('query { ticket(id: "x") { ...F } } fragment F on Ticket { id commentCount }')).toEqual(['touch']);
    expect(ticketGroups('{ node(id: "x") { id ... on Ticket { title } } }')).toEqual(['text']);
  });

  it('has no groups for documents without tickets', () => {
    expect(analyzeDocument(schema, parse('{ tags { name } }'))?.fieldGroups).toEqual({});
  });

  it('leaves only updatedAt out of Ticket’s list: a new field gets its groups there (or stays in every group, said here)', () => {
    const type = schema.getType('Ticket');
    const groups = type?.extensions?.cacheFieldGroups as { fields: Record<string, unknown> } | undefined;
    const fields = Object.keys((type as { getFields(): object }).getFields());
    // updatedAt alone is left out on purpose; any other field missing from the list is one forgotten.
    expect(fields.filter((field) => !(field in groups!.fields))).toEqual(['updatedAt']);
  });
});
