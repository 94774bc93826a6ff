// What a push must pass, without a database: both manifest formats read into the same documents, and
// every kind of problem named with its document.
import { describe, expect, it } from 'vitest';
import { schema } from '../../../schema/index.ts';
import { DEFAULT_LIMITS } from '../../document-limits/limits-config.ts';
import { sha256Hex } from '../persisted-documents.ts';
import { checkManifest } from './check-push.ts';
import { APOLLO_FORMAT, ManifestFormatError, readManifest } from './manifest-formats.ts';

const settings = { schema, limits: DEFAULT_LIMITS, maxPageSize: 100 };
const VIEWER = 'query Viewer { viewer { id name } }';
const TICKETS = 'query Tickets($first: Int) { tickets(first: $first) { totalCount edges { node { id title } } } }';

const codegen = (...documents: string[]) => JSON.stringify(Object.fromEntries(documents.map((d) => [`sha256:${sha256Hex(d)}`, d])));
const apollo = (operations: object[]) => JSON.stringify({ format: APOLLO_FORMAT, version: 1, operations });
const check = (text: string) => checkManifest(readManifest(text, 'manifest.json'), settings);

describe('manifest formats', () => {
  it("reads GraphQL Code Generator's persisted documents and Apollo's persisted query list into the same documents", () => {
    const fromCodegen = check(codegen(VIEWER, TICKETS));
    const fromApollo = check(
      apollo([
        { id: sha256Hex(VIEWER), name: 'Viewer', type: 'query', body: VIEWER },
        { id: sha256Hex(TICKETS), name: 'Tickets', type: 'query', body: TICKETS },
      ]),
    );
    expect(fromCodegen.problems).toEqual([]);
    expect(fromApollo.problems).toEqual([]);
    expect(fromApollo.documents).toEqual(fromCodegen.documents);
    expect(fromCodegen.documents).toEqual([
      { hash: sha256Hex(VIEWER), body: VIEWER, operationName: 'Viewer' },
      { hash: sha256Hex(TICKETS), body: TICKETS, operationName: 'Tickets' },
    ]);
    // Bare hex ids (no "sha256:") are the same hashes.
    expect(check(JSON.stringify({ [sha256Hex(VIEWER)]: VIEWER })).documents).toEqual([fromCodegen.documents[0]]);
  });

  it('refuses what is neither format, naming the file and both formats', () => {
    const refusals: [string, RegExp][] = [
      ['not json', /manifest\.json is not JSON/],
      ['[]', /is not a JSON object: expected GraphQL Code Generator's .* or Apollo's persisted query list/],
      ['{}', /holds no documents/],
      [JSON.stringify({ a: 1 }), /the value of "a" is not a document/],
      [JSON.stringify({ format: 'relay', operations: [] }), /unknown format "relay"/],
      [JSON.stringify({ format: APOLLO_FORMAT, version: 2, operations: [] }), /version 2 is not supported/],
      [apollo([{ id: 'x' }]), /operations\[0\] needs a string "id" and a string "body"/],
    ];
    for (const [text, message] of refusals) {
      expect(() => readManifest(text, 'manifest.json'), text).toThrow(ManifestFormatError);
      expect(() => readManifest(text, 'manifest.json'), text).toThrow(message);
    }
  });
});

describe('what a push must pass', () => {
  it('lists every problem with its document: hash, syntax, schema, limits, declared type', () => {
    const deep = `query Deep { ${'viewer { organization { '.repeat(6)}id${' } }'.repeat(6)} }`;
    const { documents, problems } = check(
      apollo([
        { id: sha256Hex(VIEWER), name: 'Viewer', body: VIEWER },
        { id: 'sha1:' + 'a'.repeat(40), name: 'Sha1', body: VIEWER },
        { id: sha256Hex('other'), name: 'Edited', body: VIEWER },
        { id: sha256Hex('query Broken {'), name: 'Broken', body: 'query Broken {' },
        { id: sha256Hex('query Shoes { viewer { shoeSize } }'), name: 'Shoes', body: 'query Shoes { viewer { shoeSize } }' },
        { id: sha256Hex(deep), name: 'Deep', body: deep },
        { id: sha256Hex('mutation Out { logout }'), name: 'Out', type: 'query', body: 'mutation Out { logout }' },
        { id: sha256Hex('fragment F on User { id }'), name: 'OnlyFragment', body: 'fragment F on User { id }' },
      ]),
    );
    expect(documents.map((d) => d.operationName)).toEqual(['Viewer']);
    expect(problems.map((p) => [p.document.split(' ')[0], p.message])).toEqual([
      ['Sha1', expect.stringMatching(/not a SHA-256 hash .*looks like SHA-1/)],
      ['Edited', expect.stringMatching(/not the SHA-256 of the document/)],
      ['Broken', expect.stringMatching(/^Syntax Error/)],
      ['Shoes', 'Cannot query field "shoeSize" on type "User".'],
      ['Deep', expect.stringMatching(/nested \d+ levels deep; the limit is 10/)],
      ['Out', 'the manifest says "query" but the document is a mutation'],
      ['OnlyFragment', 'the document has no operation'],
    ]);
    // Each problem names the id as the manifest wrote it.
    expect(problems[1]!.document).toBe(`Edited (${sha256Hex('other')})`);
  });

  it('checks the cost with page sizes at the maximum, as a client could ask, and each operation of a document', () => {
    // 100 tickets × 100 comments × 2 fields is over the cost limit (10,000) only when first is at the maximum.
    const costly =
      'query Costly($first: Int!) { tickets(first: $first) { edges { node { comments(first: 100) { edges { node { id body } } } } } } }';
    const two = `${VIEWER} ${costly.replace('Costly', 'Second')}`;
    const { problems } = check(codegen(costly, two));
    expect(problems.map((p) => p.document.split(' ')[0])).toEqual(['Costly', 'Viewer,']);
    expect(problems.every((p) => /cost/i.test(p.message))).toBe(true);
    expect(problems[1]!.document).toMatch(/^Viewer, Second \(sha256:/);
  });

  it('keeps one document per hash when a manifest lists it twice', () => {
    const text = apollo([1, 2].map((n) => ({ id: sha256Hex(VIEWER), name: `Copy${n}`, body: VIEWER })));
    expect(check(text)).toEqual({ documents: [{ hash: sha256Hex(VIEWER), body: VIEWER, operationName: 'Viewer' }], problems: [] });
  });
});
