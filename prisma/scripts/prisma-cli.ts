// Runs the prisma CLI with PRISMA_SCHEMA_ENGINE_BINARY pointing at an existing file when none is set:
// `prisma generate` only checks that the engine exists before it would try to download one, and the
// download host is unreachable on our machines. Commands that really spawn the engine (migrate, db push)
// go through prisma/migrations.ts instead.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL('../schema.prisma', import.meta.url));
const result = spawnSync('prisma', process.argv.slice(2), { stdio: 'inherit', env, shell: false });
process.exit(result.status ?? 1);
