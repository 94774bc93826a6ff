// Bound parameters for the SQL reader (reader.ts): placeholders numbered as values are added, with the
// types the driver adapter binds them as.
import type { ArgType } from './reader.ts';

export const INT: ArgType = { scalarType: 'int', arity: 'scalar' };
export const INT_LIST: ArgType = { scalarType: 'int', arity: 'list' };
export const TEXT: ArgType = { scalarType: 'string', arity: 'scalar' };
export const TEXT_LIST: ArgType = { scalarType: 'string', arity: 'list' };

export class SqlParams {
  readonly args: unknown[] = [];
  readonly types: ArgType[] = [];

  /** Binds value and returns its placeholder ($1, $2, …). */
  add(value: unknown, type: ArgType): string {
    this.args.push(value);
    this.types.push(type);
    return `$${this.args.length}`;
  }
}
