// The verdict of `npm run schema:check`: every breaking change in the schema's history listed in the
// changelog, and every registered document valid against the schema as it is now.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compareSchemas, listedChanges, schemaFromSdl, unlistedChanges } from './changes.ts';
import { checkDocuments, type Manifest } from './documents.ts';
import { schemaHistory } from './history.ts';

export const SCHEMA_FILE = 'schema/schema.graphql';
export const CHANGELOG_FILE = 'schema/CHANGELOG.md';

export interface CheckOptions {
  /** The repository's root (a git work tree, for the history). */
  root: string;
  /** Compare this revision with the working tree only, instead of walking the whole history. */
  base?: string;
  manifests: Manifest[];
}

export interface CheckResult {
  ok: boolean;
  /** What to print: failures first, each naming the fix. */
  failures: string[];
  notes: string[];
}

async function historyFailures(root: string, base: string | undefined, notes: string[]): Promise<string[]> {
  const history = schemaHistory(root, SCHEMA_FILE, base);
  notes.push(...history.notes);
  const changelog = path.join(root, CHANGELOG_FILE);
  const listed = listedChanges(existsSync(changelog) ? readFileSync(changelog, 'utf8') : '');
  const failures: string[] = [];
  let breakingSeen = 0;
  for (const [index, pair] of history.pairs.entries()) {
    const { breaking, dangerous } = await compareSchemas(pair.oldSdl, pair.newSdl);
    breakingSeen += breaking.length;
    const unlisted = unlistedChanges(breaking, listed);
    if (unlisted.length) {
      failures.push(
        `${pair.label}: ${unlisted.length} breaking change(s) not in ${CHANGELOG_FILE}. If they are meant, add an entry saying ` +
          `what clients must do, listing each as below; otherwise undo them (deprecate first, remove later):\n` +
          unlisted.map((change) => `- \`${change.message}\``).join('\n'),
      );
    }
    // Dangerous changes of the newest version only: older ones have been read before.
    if (index === history.pairs.length - 1 && dangerous.length) {
      notes.push(`${pair.label}: dangerous (not breaking) changes:\n${dangerous.map((change) => `  ${change.message}`).join('\n')}`);
    }
  }
  notes.push(
    `${history.pairs.length} schema change(s) compared, ${breakingSeen} breaking change(s) found, each checked against ${CHANGELOG_FILE}.`,
  );
  return failures;
}

function documentFailures(sdl: string, manifests: Manifest[], notes: string[]): string[] {
  const problems = checkDocuments(schemaFromSdl(sdl), manifests);
  const count = manifests.reduce((sum, manifest) => sum + Object.keys(manifest.documents).length, 0);
  notes.push(`${count} registered document(s) in ${manifests.length} manifest(s) validated against ${SCHEMA_FILE}.`);
  for (const problem of problems.filter((p) => !p.errors.length)) {
    notes.push(`${problem.manifest}: ${problem.operation} uses deprecated schema: ${problem.deprecated.join('; ')}`);
  }
  return problems
    .filter((problem) => problem.errors.length)
    .map(
      (problem) =>
        `${problem.manifest}: ${problem.operation} (${problem.id}) no longer validates: ${problem.errors.join(' / ')}\n  ` +
        'A client ships this document: keep the schema compatible with it, or change the client and regenerate (npm run codegen).',
    );
}

export async function runSchemaCheck(options: CheckOptions): Promise<CheckResult> {
  const notes: string[] = [];
  const sdl = readFileSync(path.join(options.root, SCHEMA_FILE), 'utf8');
  const failures = [...(await historyFailures(options.root, options.base, notes)), ...documentFailures(sdl, options.manifests, notes)];
  return { ok: failures.length === 0, failures, notes };
}
