import { describe, expect, it } from 'vitest';
import { contentCoding, prefersHtml, prefersJson, responseMediaType } from './negotiation.ts';

describe('contentCoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['   ', null],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, br', 'br'],
    ['br, gzip', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['GZip, BR', 'br'],
    ['x-gzip', 'gzip'],
    ['deflate', null],
    ['gzip;q=0, br', 'br'],
    ['br;q=0', null],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.5', 'br'],
    ['br ; q=0.8 , gzip ; q=0.9', 'gzip'],
    ['*', 'br'],
    ['*;q=0.5', 'br'],
    ['*;q=0', null],
    ['*;q=0, gzip', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['br;q=0, gzip;q=0, *', null],
    ['identity', null],
    ['identity, gzip', 'gzip'], // equal: the server may pick, and compression is what it prefers
    ['identity;q=1, gzip;q=0.5', null],
    ['gzip;q=0.5', 'gzip'], // identity not named ranks no higher than gzip
    ['gzip;q=0.5, *;q=0.9', 'br'],
    ['gzip;q=0.5, *;q=0.9, identity;q=0.1', 'br'],
    ['identity;q=0, *;q=0', null],
    [',,, gzip ,,', 'gzip'],
    // negotiator reads a malformed qvalue as a number where it can (RFC 9110 has it as invalid): the
    // client named the coding, and sending it what it named is harmless.
    ['gzip;q=2', 'gzip'],
    ['gzip;q=abc, br;q=0.1', 'br'],
    ['gzip;q=0.1234', 'gzip'],
    ['gzip;level=1', 'gzip'], // other parameters do not matter
    ['gzip;q=', 'gzip'],
    ['\u0000\u00ff garbage ;;; ==', null],
    ['gzip br', null], // not a list: one malformed element
  ])('%j → %s', (header, expected) => {
    expect(contentCoding(header)).toBe(expected);
    expect(contentCoding(header)).toBe(expected); // memoized answer too
  });
});

describe('responseMediaType', () => {
  it.each([
    [undefined, 'application/json'],
    ['*/*', 'application/json'],
    ['application/json', 'application/json'],
    ['application/json; charset=utf-8', 'application/json'],
    ['application/graphql-response+json', 'application/graphql-response+json'],
    ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
    ['application/json, application/graphql-response+json', 'application/json'],
    ['application/graphql-response+json;q=0.5, application/json', 'application/json'],
    ['application/*', 'application/json'],
    ['application/json;charset=iso-8859-1', null],
    ['text/html', null],
    ['multipart/mixed', null],
    ['text/event-stream', null],
  ])('%j → %s', (accept, expected) => {
    expect(responseMediaType(accept)).toBe(expected);
    expect(responseMediaType(accept)).toBe(expected);
  });
});

describe('prefersHtml', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', false],
    ['application/graphql-response+json', false],
    // Chromium's and Firefox's navigation headers
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', true],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['text/html', true],
    ['text/*', true],
    ['text/html, application/json', true],
    ['application/json, text/html', false],
    ['application/json, text/html;q=0.5', false],
    ['text/html;q=0.5, application/graphql-response+json', false],
    ['text/html;q=0, */*', false],
    ['text/event-stream', false],
  ])('%j → %s', (accept, expected) => expect(prefersHtml(accept)).toBe(expected));
});

describe('prefersJson', () => {
  it.each([
    [undefined, false],
    ['*/*', false],
    ['application/json', true],
    ['application/json, */*', true],
    ['text/plain, application/json', false],
    ['application/openmetrics-text;q=0.5,text/plain;q=0.4,*/*;q=0.1', false],
    ['application/json;q=0.9, text/plain;q=0.5', true],
    ['application/json;q=0, */*', false],
    ['text/html', false],
  ])('%j → %s', (accept, expected) => expect(prefersJson(accept)).toBe(expected));
});
