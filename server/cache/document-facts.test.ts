// touchTypes: which documents' responses a touch (a comment, a tag) must evict. Worked out from the
// schema's `cacheTouchStable` lists, so a field outside the list counts, wherever the document selects it.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import { analyzeDocument } from './document-facts.ts';

const touchTypes = (query: string) => analyzeDocument(schema, parse(query))?.touchTypes;

describe('analyzeDocument: touchTypes', () => {
  it('is empty when every Ticket field selected is one a touch leaves as it was', () => {
    expect(touchTypes('{ ticket(id: "x") { id number title body status priority createdAt assignee { id name } } }')).toEqual([]);
    expect(touchTypes('{ tickets(first: 5) { totalCount edges { node { id __typename requester { email } } } } }')).toEqual([]);
  });

  it('names Ticket when a field a touch changes is selected', () => {
    for (const field of ['updatedAt', 'commentCount', 'tags { name }', 'comments(first: 1) { totalCount }']) {
      expect(touchTypes(`{ tickets(first: 5) { edges { node { id ${field} } } } }`), field).toEqual(['Ticket']);
    }
  });

  it('sees the field through fragments, inline or named, and through node', () => {
    expect(touchTypes('{ node(id: "x") { id ... on Ticket { updatedAt } } }')).toEqual(['Ticket']);
    expect(touchTypes('query { ticket(id: "x") { ...F } } fragment F on Ticket { id commentCount }')).toEqual(['Ticket']);
    expect(touchTypes('{ node(id: "x") { id ... on Ticket { title } } }')).toEqual([]);
  });

  it('is empty for documents without tickets', () => {
    expect(touchTypes('{ tags { name } }')).toEqual([]);
  });
});
