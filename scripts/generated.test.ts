// Generated code is committed so that reviewers see it change; these fail when it is stale.
// Fix with `npm run generate`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen.ts';

const root = path.resolve(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full).map((f) => path.join(name, f)) : [name];
  });
}

describe('generated code', () => {
  it('codegen output matches the schema and the documents (npm run codegen)', async () => {
    const outputs: { filename: string; content: string }[] = await generate({ ...config, cwd: root, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(readFileSync(path.resolve(root, output.filename), 'utf8'), output.filename).toBe(output.content);
    }
  });

  it('the Prisma client matches prisma/schema.prisma (npm run prisma:generate)', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'deskgraph-prisma-'));
    copyFileSync(path.join(root, 'prisma/schema.prisma'), path.join(scratch, 'schema.prisma'));
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'prisma/scripts/prisma-cli.ts'), 'generate', '--schema', path.join(scratch, 'schema.prisma')],
      { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}:${process.env.PATH}` } },
    );
    expect(run.status, run.stderr).toBe(0);
    const committed = path.join(root, 'prisma/generated');
    const fresh = path.join(scratch, 'generated');
    expect(files(committed).sort()).toEqual(files(fresh).sort());
    for (const file of files(fresh)) {
      expect(readFileSync(path.join(committed, file), 'utf8'), file).toBe(readFileSync(path.join(fresh, file), 'utf8'));
    }
  });
});
