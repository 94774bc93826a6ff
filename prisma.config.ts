// Prisma CLI configuration. The CLI is used here only to generate the client (prisma/scripts/prisma-cli.ts);
// migrations are applied by the project's own runner so they work without the schema-engine binary.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
