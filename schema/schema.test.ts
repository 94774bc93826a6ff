import { readFileSync } from 'node:fs';
import { getNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType, isSpecifiedScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from './index.ts';
import { printedSchema, schemaPath } from './print.ts';

describe('the printed schema', () => {
  it('schema/schema.graphql is current (run `npm run schema:print` after changing the graph)', () => {
    expect(readFileSync(schemaPath, 'utf8')).toBe(printedSchema());
  });

  it('describes every type, field, argument and enum value, because GraphiQL users read them', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names every connection after its node (TicketConnection, TicketEdge), each with totalCount', () => {
    const connections = Object.values(schema.getTypeMap()).filter((type) => isObjectType(type) && 'pageInfo' in type.getFields());
    const nodes = connections.map((connection) => {
      const fields = isObjectType(connection) ? connection.getFields() : {};
      const edge = getNamedType(fields.edges!.type);
      const node = isObjectType(edge) ? getNamedType(edge.getFields().node!.type).name : '?';
      expect([connection.name, edge.name]).toEqual([`${node}Connection`, `${node}Edge`]);
      expect(fields.totalCount?.type.toString(), connection.name).toBe('Int!');
      return node;
    });
    expect(nodes).toEqual(['Comment', 'Ticket', 'User']);
  });
});
