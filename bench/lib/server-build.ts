// Which build of deskgraph the benchmarks start: `BENCH_SERVER=tsx` (the default: server/main.ts through
// tsx, as `npm start` runs it) or `dist` (the compiled JavaScript on plain node, as `npm run start:prod`
// runs it), compiled once per benchmark process by `npm run build:server`.
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
    process.stdout.write('BENCH_SERVER=dist: compiling the server (npm run build:server)\n');
    execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: root, stdio: 'inherit' });
    compiled = true;
  }
  return ['dist/server/main.js'];
}
