// The resolvers' own page checks (the document limits refuse the same requests earlier, over HTTP:
// test/limits.test.ts); in-process callers of the schema get the same errors.
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { pageWindow } from './pagination.ts';

function refusal(run: () => unknown): GraphQLError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected a GraphQLError');
}

describe('pageWindow', () => {
  it('refuses first together with last instead of ignoring last', () => {
    const error = refusal(() => pageWindow({ first: 5, last: 5 }, 100));
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentNames: ['first', 'last'] });
    expect(error.message).toMatch(/not both/);
    // zero counts as given too
    expect(refusal(() => pageWindow({ first: 0, last: 3 }, 100)).extensions.code).toBe('BAD_USER_INPUT');
  });

  it('takes either alone, with null for the other', () => {
    expect(pageWindow({ first: 5, last: null }, 100)).toMatchObject({ limit: 6, inverted: false });
    expect(pageWindow({ first: null, last: 5 }, 100)).toMatchObject({ limit: 6, inverted: true });
  });

  it('names the page size over the maximum before anything else', () => {
    const error = refusal(() => pageWindow({ first: 101, last: 5 }, 100));
    expect(error.message).toBe('"first" must be between 0 and 100, got 101.');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'first', maxPageSize: 100 });
  });
});
