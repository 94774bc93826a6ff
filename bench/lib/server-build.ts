// Which build of deskgraph the benchmarks start: `BENCH_SERVER=tsx` (the default: server/main.ts through
// tsx, as `npm start` runs it) or `dist` (the compiled JavaScript on plain node, as `npm run start:prod`
// runs it), compiled once per benchmark process with `npm run build:server`'s command.
import { execFileSync } from 'node:child_process';

export type ServerBuild = 'tsx' | 'dist';

export function serverBuild(): ServerBuild {
  const value = process.env.BENCH_SERVER ?? 'tsx';
  if (value !== 'tsx' && value !== 'dist') throw new Error(`BENCH_SERVER must be tsx or dist, got ${value}`);
  return value;
}

let compiled = false;

/** Node's arguments for deskgraph's entry point in the chosen build (compiling dist/ first when needed). */
export function deskgraphArgs(root: string): string[] {
  if (serverBuild() === 'tsx') return ['--import', 'tsx', 'server/main.ts'];
  if (!compiled) {
    process.stdout.write('BENCH_SERVER=dist: compiling the server (tsc -p tsconfig.build.json)\n');
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    compiled = true;
  }
  return ['dist/server/main.js'];
}
