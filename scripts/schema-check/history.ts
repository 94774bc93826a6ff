// The versions of the printed schema to compare, read from git. By default every change the file ever
// had, commit by commit (each against its first parent), then the working tree against HEAD: so a
// breaking change cannot land unlisted, whether it came in one commit or was buried under later ones,
// on a branch merged or rebased, or sits uncommitted. With a base revision, only that revision against
// the working tree (what a pull request changes: `--base origin/main`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface SchemaPair {
  /** Which change this is, for messages: "<commit> <subject>", or "working tree (vs HEAD)". */
  label: string;
  oldSdl: string;
  newSdl: string;
}

export interface SchemaHistory {
  pairs: SchemaPair[];
  /** What the walk could not see (not a git work tree, a shallow clone), said out loud rather than skipped silently. */
  notes: string[];
}

const NO_BLOB = /^0+$/;

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

function tryGit(root: string, args: string[]): string | null {
  try {
    return git(root, args);
  } catch {
    return null;
  }
}

interface RawChange {
  commit: string;
  subject: string;
  oldBlob: string;
  newBlob: string;
}

/**
 * Commits that changed the file, oldest first, with the blob before and after. Merges are compared
 * with their first parent (what the merge brought into the line it landed on); git's history
 * simplification skips merges that took one side's version unchanged, whose commits are listed anyway.
 */
function fileChanges(root: string, file: string): RawChange[] {
  const log = git(root, ['log', '--raw', '--no-abbrev', '--no-renames', '--diff-merges=first-parent', '--format=%x00%H%x09%s', '--', file]);
  const changes: RawChange[] = [];
  for (const entry of log.split('\0').slice(1)) {
    const [header = '', ...lines] = entry.split('\n');
    const [commit = '', subject = ''] = header.split('\t');
    for (const line of lines) {
      const raw = /^:\d+ \d+ ([0-9a-f]+) ([0-9a-f]+) \w+\t/.exec(line);
      if (raw) changes.push({ commit, subject, oldBlob: raw[1]!, newBlob: raw[2]! });
    }
  }
  return changes.reverse();
}

export function schemaHistory(root: string, file: string, base?: string): SchemaHistory {
  const current = readFileSync(path.join(root, file), 'utf8');
  if (tryGit(root, ['rev-parse', '--is-inside-work-tree'])?.trim() !== 'true') {
    return { pairs: [], notes: [`${root} is not a git work tree: no earlier schema to compare with; only the documents are checked.`] };
  }
  if (base) {
    const old = tryGit(root, ['show', `${base}:${file}`]);
    if (old == null) throw new Error(`No ${file} at ${base}: pass a revision that has it (--base <rev>).`);
    return { pairs: [{ label: `working tree (vs ${base})`, oldSdl: old, newSdl: current }], notes: [] };
  }
  const notes: string[] = [];
  if (tryGit(root, ['rev-parse', '--is-shallow-repository'])?.trim() === 'true') {
    notes.push('This is a shallow clone: changes before its oldest commit are not checked (git fetch --unshallow to check them all).');
  }
  const blobs = new Map<string, string>();
  const blob = (id: string) => {
    if (!blobs.has(id)) blobs.set(id, git(root, ['cat-file', 'blob', id]));
    return blobs.get(id)!;
  };
  const pairs: SchemaPair[] = [];
  const hasHead = tryGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD']) != null;
  for (const change of hasHead ? fileChanges(root, file) : []) {
    if (NO_BLOB.test(change.oldBlob)) continue; // the file was created here: nothing to break
    if (NO_BLOB.test(change.newBlob)) {
      notes.push(`${change.commit.slice(0, 7)} deleted ${file}; the next version is compared with nothing before it.`);
      continue;
    }
    pairs.push({ label: `${change.commit.slice(0, 7)} ${change.subject}`, oldSdl: blob(change.oldBlob), newSdl: blob(change.newBlob) });
  }
  const committed = hasHead ? tryGit(root, ['show', `HEAD:${file}`]) : null;
  if (committed != null && committed !== current) pairs.push({ label: 'working tree (vs HEAD)', oldSdl: committed, newSdl: current });
  return { pairs, notes };
}
