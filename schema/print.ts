// npm run schema:print — writes the SDL that reviewers read in diffs and codegen reads for types.
import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './index.ts';

export const schemaPath = new URL('./schema.graphql', import.meta.url);
export const printedSchema = () => `${printSchema(schema)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(schemaPath, printedSchema());
  console.log(`wrote ${schemaPath.pathname}`);
}
