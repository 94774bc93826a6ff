// Builds the seeded template once per vitest project; the postgres project uses TEST_DATABASE_URL.
import type { TestProject } from 'vitest/node';
import { buildEmbeddedTemplate, buildPostgresTemplate, dropPostgresTemplate, type TemplateRef } from './template-db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    template: TemplateRef;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const template =
    project.name === 'postgres' ? await buildPostgresTemplate(process.env.TEST_DATABASE_URL!) : await buildEmbeddedTemplate();
  console.log(`[${project.name}] seeded test template in ${Date.now() - started} ms`);
  project.provide('template', template);
  return () => dropPostgresTemplate(template);
}
