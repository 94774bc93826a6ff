// Global IDs are base64("Type:id"), as Relay expects. Decoding is strict: a malformed ID or an ID of
// another type is the client's mistake and gets BAD_USER_INPUT, never an internal error.
import { BadUserInputError } from './errors.ts';

export type NodeTypeName = 'Organization' | 'User' | 'Ticket' | 'Comment' | 'Tag';
const nodeTypes = new Set<string>(['Organization', 'User', 'Ticket', 'Comment', 'Tag']);

// Encoded IDs per type, kept: a response lists the same few hundred rows again and again, and
// encoding (a Buffer per ID) was 3 % of a 50-ticket list's CPU. Bounded: a type's map is dropped when full.
const encoded = new Map<string, Map<number | string | bigint, string>>();
const ENCODED_PER_TYPE = 100_000;

export function encodeGlobalId(type: string, id: number | string | bigint): string {
  let ids = encoded.get(type);
  if (!ids) encoded.set(type, (ids = new Map()));
  let globalId = ids.get(id);
  if (globalId === undefined) {
    if (ids.size >= ENCODED_PER_TYPE) ids.clear();
    globalId = Buffer.from(`${type}:${id}`, 'utf8').toString('base64');
    ids.set(id, globalId);
  }
  return globalId;
}

export function decodeGlobalId(globalId: string): { typename: NodeTypeName; id: number } {
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(globalId) ? Buffer.from(globalId, 'base64').toString('utf8') : '';
  const match = /^([A-Za-z]+):([1-9][0-9]{0,14})$/.exec(text);
  if (!match || !nodeTypes.has(match[1]!)) {
    throw new BadUserInputError(`"${truncate(globalId)}" is not a deskgraph ID. Use an id field returned by the API.`, {
      argumentValue: truncate(globalId),
    });
  }
  return { typename: match[1] as NodeTypeName, id: Number(match[2]) };
}

/** Decodes an ID that must name a node of the given type. */
export function parseId(globalId: string, type: NodeTypeName): number {
  const decoded = decodeGlobalId(globalId);
  if (decoded.typename !== type) {
    throw new BadUserInputError(`ID "${truncate(globalId)}" is a ${decoded.typename} ID; a ${type} ID is expected here.`);
  }
  return decoded.id;
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}
