// Global setup of the browser project: the shared one (seeded template, built client), with the
// database chosen as for the postgres project when TEST_DATABASE_URL is set, so CI drives the UI
// over the real PostgreSQL and Redis and a laptop over the embedded PGlite. test/global-setup.ts
// picks the real servers by project name; this lends it that name rather than copying its work.
import type { TestProject } from 'vitest/node';
import setup from '../global-setup.ts';

export default function browserSetup(project: TestProject) {
  if (!process.env.TEST_DATABASE_URL) return setup(project);
  const asPostgres = new Proxy(project, {
    get: (target, key) => (key === 'name' ? 'postgres' : Reflect.get(target, key, target)),
  });
  return setup(asPostgres);
}
