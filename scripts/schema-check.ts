// `npm run schema:check` (part of `npm test`): fails when schema/schema.graphql has a breaking change
// that schema/CHANGELOG.md does not list, or when a registered document (a persisted-operation
// manifest a client ships) no longer validates against it. See scripts/schema-check/ for how.
//   npm run schema:check                          every change in the git history, then the working tree
//   npm run schema:check -- --base origin/main    only <rev> → working tree (what a branch changes)
import path from 'node:path';
import { parseArgs } from 'node:util';
import { registeredManifests } from './schema-check/manifests.ts';
import { runSchemaCheck } from './schema-check/run.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { base: { type: 'string' } } });
const result = await runSchemaCheck({ root, base: values.base, manifests: registeredManifests(root) });
for (const note of result.notes) console.log(note);
for (const failure of result.failures) console.log(`\n✗ ${failure}`);
console.log(result.ok ? 'schema:check passed' : `\nschema:check failed (${result.failures.length} problem(s))`);
process.exit(result.ok ? 0 : 1);
