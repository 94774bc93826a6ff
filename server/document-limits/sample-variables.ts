// Values for an operation's required variables, for checking a document against the limits without a
// client: page sizes at the maximum (the worst a client may ask), everything else the smallest valid value.
// An operation taking both $first and $last gets only first: a client sends one of them, never both
// (that is BAD_USER_INPUT), and either costs the same at the maximum.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

function sample(type: GraphQLInputType, name: string, maxPageSize: number): unknown {
  if (isNonNullType(type)) return sample(type.ofType, name, maxPageSize);
  if (isListType(type)) return [sample(type.ofType, name, maxPageSize)];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type)) out[field.name] = sample(field.type, field.name, maxPageSize);
    }
    return out;
  }
  switch (getNamedType(type).name) {
    case 'Int':
    case 'Float':
      return name === 'first' || name === 'last' ? maxPageSize : 1;
    case 'Boolean':
      return true;
    default:
      return 'x';
  }
}

export function sampleVariables(schema: GraphQLSchema, document: DocumentNode, maxPageSize: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== 'OperationDefinition') continue;
    const variables = definition.variableDefinitions ?? [];
    const takesFirst = variables.some((variable) => variable.variable.name.value === 'first');
    for (const variable of variables) {
      const type = typeFromAST(schema, variable.type) as GraphQLInputType | undefined;
      const name = variable.variable.name.value;
      const pageSize = name === 'first' || (name === 'last' && !takesFirst);
      if (type && (isNonNullType(type) || pageSize)) out[name] = sample(type, name, maxPageSize);
    }
  }
  return out;
}
