// Only the SQL reader's queries get a statement name, the same one for the same text.
import { describe, expect, it } from 'vitest';
import { readerQuery, statementName } from './statement-names.ts';

describe('statement names', () => {
  it("names the reader's queries by their text and leaves every other query unnamed", () => {
    const sql = 'SELECT 1 WHERE $1::int = 1';
    const first = statementName(readerQuery({ sql, args: [1], argTypes: [] }));
    const again = statementName(readerQuery({ sql, args: [2], argTypes: [] }));
    expect(first).toMatch(/^dg_[0-9a-f]{24}$/);
    expect(again).toBe(first);
    expect(statementName(readerQuery({ sql: 'SELECT 2', args: [], argTypes: [] }))).not.toBe(first);
    // Prisma's own statements (not marked) stay unnamed: their texts vary with their arguments.
    expect(statementName({ sql })).toBeUndefined();
  });
});
