// Parsing with a token budget: graphql-js's own parser stops at the limit (it counts as it lexes, where
// graphql-armor's max-tokens plugin wraps the lexer in a proxy called on every token), so a huge
// document is refused before its AST exists. Only when refusing do we lex the rest, to say how many
// tokens the document has.
import { GraphQLError, Lexer, parse, Source, TokenKind, type DocumentNode, type ParseOptions } from 'graphql';
import { limitError } from './limit-error.ts';

/** Tokens in the document, counted by the lexer alone; null when it stops at a lexical error. */
export function countTokens(source: string): number | null {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch {
    return null;
  }
  return count;
}

export function parseWithTokenLimit(maxTokens: number) {
  return (source: string | Source, options?: ParseOptions): DocumentNode => {
    try {
      return parse(source, { ...options, maxLexicalTokens: maxTokens });
    } catch (error) {
      if (!(error instanceof GraphQLError) || !/contains more th\w+ \d+ tokens/.test(error.message)) throw error;
      const text = typeof source === 'string' ? source : source.body;
      const measured = countTokens(text);
      throw limitError('TOO_MANY_TOKENS', `The document has ${measured ?? `more than ${maxTokens}`} tokens; the limit is ${maxTokens}.`, {
        limit: 'maxTokens',
        max: maxTokens,
        ...(measured === null ? {} : { measured }),
      });
    }
  };
}
