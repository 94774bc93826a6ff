// Builds the seeded template once per vitest project; all but the embedded one use TEST_DATABASE_URL when set.
// The web client is built first when its sources changed (tests serve client/dist); the projects'
// setups may ask at once, and the build's lock makes the second one wait and find it done.
import type { TestProject } from 'vitest/node';
import { ensureClientBuilt } from '../scripts/build-client.ts';
import { buildEmbeddedTemplate, buildPostgresTemplate, dropPostgresTemplate, type TemplateRef } from './template-db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    template: TemplateRef;
  }
}

export default async function setup(project: TestProject) {
  await ensureClientBuilt({ ifStale: true, log: (line) => console.log(`[${project.name}] ${line}`) });
  const started = Date.now();
  // The embedded project always uses PGlite; the others (postgres, browser) use the real servers when given.
  const realDatabase = project.name !== 'embedded' ? process.env.TEST_DATABASE_URL : undefined;
  const template = realDatabase ? await buildPostgresTemplate(realDatabase) : await buildEmbeddedTemplate();
  console.log(`[${project.name}] seeded test template in ${Date.now() - started} ms`);
  project.provide('template', template);
  return () => dropPostgresTemplate(template);
}
