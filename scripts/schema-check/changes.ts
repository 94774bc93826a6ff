// What changed between two versions of the schema, by @graphql-inspector/core, and which breaking
// changes the changelog (schema/CHANGELOG.md) does not list.
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema, type GraphQLSchema } from 'graphql';

export interface SchemaChanges {
  /** Changes that break a client written against the old schema: removed types and fields, changed types, new required arguments. */
  breaking: Change[];
  /** Changes that may surprise a client without breaking its documents: a new enum value, a changed default. */
  dangerous: Change[];
}

// Versions repeat across the pairs of a history walk (each is the old side of one pair and the new side
// of the next): built once each.
const built = new Map<string, GraphQLSchema>();

export function schemaFromSdl(sdl: string): GraphQLSchema {
  let schema = built.get(sdl);
  if (!schema) {
    schema = buildSchema(sdl);
    built.set(sdl, schema);
  }
  return schema;
}

export async function compareSchemas(oldSdl: string, newSdl: string): Promise<SchemaChanges> {
  const changes = await diff(schemaFromSdl(oldSdl), schemaFromSdl(newSdl));
  return {
    breaking: changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking),
    dangerous: changes.filter((change) => change.criticality.level === CriticalityLevel.Dangerous),
  };
}

/**
 * The breaking changes the changelog lists: every Markdown list item whose whole text is one code span,
 * such as "- `Type 'QueryTicketsConnection' was removed`", read as graphql-inspector's message for it.
 * Messages name the type or field and, for a changed type, the old and new ones, so an entry allows
 * that one change and not a later change of the same field.
 */
export function listedChanges(changelog: string): Set<string> {
  const listed = new Set<string>();
  for (const line of changelog.split('\n')) {
    const item = /^\s*[-*]\s+`([^`]+)`\s*$/.exec(line);
    if (item) listed.add(item[1]!.trim());
  }
  return listed;
}

export function unlistedChanges(breaking: readonly Change[], listed: ReadonlySet<string>): Change[] {
  return breaking.filter((change) => !listed.has(change.message));
}
