// npm run schema:check: a breaking change fails unless the changelog lists it, wherever it sits in the
// history; a registered document that no longer validates fails regardless. Run against throwaway git
// repositories (real git, real commits), and once against this repository as it is.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareSchemas, listedChanges, schemaFromSdl, unlistedChanges } from './schema-check/changes.ts';
import { checkDocuments } from './schema-check/documents.ts';
import { registeredManifests } from './schema-check/manifests.ts';
import { CHANGELOG_FILE, runSchemaCheck, SCHEMA_FILE } from './schema-check/run.ts';

const V1 = `type Query {
  tickets(first: Int): QueryTicketsConnection!
  legacy: String
}
type QueryTicketsConnection { edges: [Ticket!]! }
type Ticket { id: ID! title: String! }
`;
// Renames the connection type (breaking twice: a type removed, a field's type changed) and adds a field.
const V2 = V1.replaceAll('QueryTicketsConnection', 'TicketConnection').replace('title: String!', 'title: String!\n  body: String');
// Removes Query.legacy: breaking, and a shipped document uses it.
const V3 = V2.replace('  legacy: String\n', '');

const RENAME = [
  "Type 'QueryTicketsConnection' was removed",
  "Field 'Query.tickets' changed type from 'QueryTicketsConnection!' to 'TicketConnection!'",
];
const entry = (messages: string[]) => `## A change\n\nWhat clients do.\n\n${messages.map((m) => `- \`${m}\``).join('\n')}\n`;

const LEGACY_DOC = { 'sha256:legacy': 'query Legacy { legacy }' };
const TICKETS_DOC = { 'sha256:tickets': 'query Tickets { tickets(first: 5) { edges { id title } } }' };

describe('changes and the changelog', () => {
  it('finds the breaking changes, and only those, between two schemas', async () => {
    const { breaking } = await compareSchemas(V1, V2);
    expect(breaking.map((change) => change.message).sort()).toEqual([...RENAME].sort());
  });

  it('a breaking change without a changelog entry is unlisted; with one it is not', async () => {
    const { breaking } = await compareSchemas(V1, V2);
    expect(unlistedChanges(breaking, listedChanges('# Schema changelog\n')).map((change) => change.message)).toEqual(
      expect.arrayContaining(RENAME),
    );
    expect(unlistedChanges(breaking, listedChanges(entry(RENAME)))).toEqual([]);
    // an entry for one of the two leaves the other unlisted
    expect(unlistedChanges(breaking, listedChanges(entry([RENAME[0]!]))).map((change) => change.message)).toEqual([RENAME[1]]);
  });

  it('reads entries only from list items that are one code span, so prose mentioning a message allows nothing', () => {
    const text = `The \`${RENAME[0]}\` line in prose.\n\n* \`${RENAME[1]}\`  \n- \`${RENAME[0]}\` and more words\n`;
    expect([...listedChanges(text)]).toEqual([RENAME[1]]);
  });
});

describe('registered documents', () => {
  it('a document that no longer validates is named with the reason', () => {
    const manifests = [{ name: 'client.json', documents: { ...LEGACY_DOC, ...TICKETS_DOC } }];
    expect(checkDocuments(schemaFromSdl(V2), manifests)).toEqual([]);
    expect(checkDocuments(schemaFromSdl(V3), manifests)).toEqual([
      {
        manifest: 'client.json',
        id: 'sha256:legacy',
        operation: 'query Legacy',
        errors: ['Cannot query field "legacy" on type "Query".'],
        deprecated: [],
      },
    ]);
  });

  it('deprecated fields are reported, not failed; an unparsable document fails', () => {
    const deprecated = schemaFromSdl(V2.replace('legacy: String', 'legacy: String @deprecated(reason: "Use tickets.")'));
    const [used] = checkDocuments(deprecated, [{ name: 'm', documents: LEGACY_DOC }]);
    expect(used?.errors).toEqual([]);
    expect(used?.deprecated.join()).toMatch(/legacy.*deprecated/);
    const [broken] = checkDocuments(deprecated, [{ name: 'm', documents: { 'sha256:x': 'query {' } }]);
    expect(broken?.errors.join()).toMatch(/Syntax Error/);
  });
});

describe('the history walk, on a real git repository', () => {
  let repo: string;
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: repo,
      encoding: 'utf8',
    });
  const write = (file: string, text: string) => writeFileSync(path.join(repo, file), text);
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
  };
  const check = (options: { base?: string; documents?: Record<string, string> } = {}) =>
    runSchemaCheck({ root: repo, base: options.base, manifests: [{ name: 'client.json', documents: options.documents ?? TICKETS_DOC }] });

  function init() {
    repo = mkdtempSync(path.join(tmpdir(), 'schema-check-'));
    git('init', '-q', '-b', 'main');
    mkdirSync(path.join(repo, 'schema'));
    write(SCHEMA_FILE, V1);
    write(CHANGELOG_FILE, '# Schema changelog\n');
    commit('first schema');
  }

  it('fails on a committed breaking change until the changelog lists it, even under later commits', async () => {
    init();
    write(SCHEMA_FILE, V2);
    commit('rename the connection');
    write('README.md', 'unrelated\n');
    commit('a later commit');
    const failing = await check();
    expect(failing.ok).toBe(false);
    expect(failing.failures).toHaveLength(1);
    expect(failing.failures[0]).toMatch(/^[0-9a-f]{7} rename the connection: 2 breaking change\(s\) not in schema\/CHANGELOG\.md/);
    for (const message of RENAME) expect(failing.failures[0]).toContain(`- \`${message}\``);

    write(CHANGELOG_FILE, `# Schema changelog\n\n${entry(RENAME)}`);
    commit('changelog entry for the rename');
    const passing = await check();
    expect(passing).toMatchObject({ ok: true, failures: [] });
    expect(passing.notes).toContain('1 schema change(s) compared, 2 breaking change(s) found, each checked against schema/CHANGELOG.md.');
  });

  it('checks the working tree against HEAD, and the registered documents against the working tree', async () => {
    init();
    write(CHANGELOG_FILE, `# Schema changelog\n\n${entry(RENAME)}`);
    write(SCHEMA_FILE, V2);
    commit('rename, listed');
    expect((await check({ documents: { ...TICKETS_DOC, ...LEGACY_DOC } })).ok).toBe(true);

    write(SCHEMA_FILE, V3); // uncommitted: Query.legacy removed, unlisted, and a document uses it
    const result = await check({ documents: { ...TICKETS_DOC, ...LEGACY_DOC } });
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      expect.stringMatching(
        /^working tree \(vs HEAD\): 1 breaking change\(s\) not in .*\n- `Field 'legacy' was removed from object type 'Query'`$/,
      ),
      expect.stringMatching(
        /^client\.json: query Legacy \(sha256:legacy\) no longer validates: Cannot query field "legacy" on type "Query"\./,
      ),
    ]);
  });

  it('with --base, compares that revision with the working tree only', async () => {
    init();
    write(SCHEMA_FILE, V2);
    commit('rename, unlisted');
    const tag = git('rev-parse', 'HEAD').trim();
    // From the rename on, nothing breaks: the unlisted rename before it is not this check's concern.
    expect(await check({ base: tag })).toMatchObject({ ok: true, failures: [] });
    expect((await check({ base: 'HEAD~1' })).failures[0]).toMatch(/^working tree \(vs HEAD~1\): 2 breaking change/);
    await expect(check({ base: 'no-such-rev' })).rejects.toThrow(/No schema\/schema\.graphql at no-such-rev/);
  });

  it('outside a git work tree it says so and still checks the documents', async () => {
    repo = mkdtempSync(path.join(tmpdir(), 'schema-check-'));
    mkdirSync(path.join(repo, 'schema'));
    write(SCHEMA_FILE, V3);
    const result = await check({ documents: LEGACY_DOC });
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([expect.stringMatching(/query Legacy .* no longer validates/)]);
    expect(result.notes[0]).toMatch(/is not a git work tree/);
  });
});

describe('this repository', () => {
  it("passes: every breaking change in the schema's history is in schema/CHANGELOG.md, every shipped document validates", async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const manifests = registeredManifests(root);
    expect(manifests.map((manifest) => Object.keys(manifest.documents).length).every((count) => count > 0)).toBe(true);
    const result = await runSchemaCheck({ root, manifests });
    expect(result.failures).toEqual([]);
  });
});
