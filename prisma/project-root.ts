// The repository's root, found from this file wherever it runs: prisma/ from the sources (tsx), or
// dist/prisma/ from the build (npm run build). Files that are not compiled (prisma/migrations/*.sql,
// schema.prisma, client/vite.config.ts) stay in the source tree and are found from here, not from
// the running module's own directory.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${start}: deskgraph runs from its repository (or a copy of it).`);
  }
}

export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
