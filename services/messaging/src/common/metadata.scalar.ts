import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { checkMetadata } from './metadata';

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]));
    case Kind.STRING:
      return node.value;
    case Kind.NULL:
      return null;
    default:
      return Symbol('not a string');
  }
}

function parse(value: unknown): Record<string, string> {
  try {
    return checkMetadata(value);
  } catch (error) {
    throw new GraphQLError((error as Error).message, {
      extensions: { code: 'INVALID_METADATA' },
    });
  }
}

/** `Metadata`: a JSON object of string values (at most 50 keys of 40 characters, values of 500). */
export const MetadataScalar = new GraphQLScalarType({
  name: 'Metadata',
  description:
    'Key/value pairs of the organization, passed through unchanged: a JSON object of at most 50 keys (1–40 characters) with string values (at most 500 characters).',
  serialize: (value) => value,
  parseValue: parse,
  parseLiteral: (node) => parse(literal(node)),
});
