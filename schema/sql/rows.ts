// The models' rows as the SQL reader (reader.ts) returns them — arrays in column order, timestamps as
// text — turned into exactly what Prisma's findMany returns (Date objects, enums as their names, every
// column), so resolvers and the response cache cannot tell the two apart (test/sql-reader.test.ts compares them).
// Each model lists its columns once; the compiler refuses a list that misses a column of the model.
import type { Comment, Organization, Tag, Ticket, User } from '../../prisma/generated/client.ts';

export interface RowModel<T> {
  /** The select list for table alias `alias`, in the order `row` reads. */
  select(alias: string): string;
  /**
   * The same columns as arguments of json_build_array, timestamps as epoch milliseconds (JSON has no
   * timestamp, and PostgreSQL renders one without its zone): `row` reads the array JSON.parse returns.
   */
  jsonColumns(alias: string): string;
  /** How many columns `select` lists. */
  width: number;
  /** The model's row from the columns of `values` that start at `at`. */
  row(values: readonly unknown[], at: number): T;
}

/** Every column of T, each once (a type error names the missing ones). */
type AllColumns<T, C extends readonly (keyof T)[]> =
  Exclude<keyof T, C[number]> extends never ? C : { missing: Exclude<keyof T, C[number]> };

/** The model's timestamp columns: in JSON they are sent as epoch milliseconds. */
const TIMESTAMPS = new Set(['createdAt', 'updatedAt', 'resolvedAt']);

/** A column list per alias, built once: statements are built per batch. */
function perAlias(list: (alias: string) => string): (alias: string) => string {
  const lists = new Map<string, string>();
  return (alias) => {
    let text = lists.get(alias);
    if (text === undefined) lists.set(alias, (text = list(alias)));
    return text;
  };
}

function model<T>() {
  return <const C extends readonly (keyof T & string)[]>(columns: C & AllColumns<T, C>, row: RowModel<T>['row']): RowModel<T> => ({
    select: perAlias((alias) => columns.map((column) => `${alias}."${column}"`).join(', ')),
    jsonColumns: perAlias((alias) =>
      columns
        .map((column) => (TIMESTAMPS.has(column) ? `(extract(epoch from ${alias}."${column}") * 1000)::int8` : `${alias}."${column}"`))
        .join(', '),
    ),
    width: columns.length,
    row,
  });
}

// int4 and boolean arrive as numbers and booleans, text and enums as strings: only timestamps need work
// (ISO-8601 text from the adapter, epoch milliseconds from JSON).
const date = (value: unknown) => new Date(value as string | number);
const dateOrNull = (value: unknown) => (value === null ? null : new Date(value as string | number));

export const organizationRows = model<Organization>()(['id', 'slug', 'name', 'createdAt'], (v, at) => ({
  id: v[at] as number,
  slug: v[at + 1] as string,
  name: v[at + 2] as string,
  createdAt: date(v[at + 3]),
}));

export const userRows = model<User>()(
  ['id', 'organizationId', 'email', 'name', 'role', 'avatarUrl', 'passwordHash', 'createdAt'],
  (v, at) => ({
    id: v[at] as number,
    organizationId: v[at + 1] as number,
    email: v[at + 2] as string,
    name: v[at + 3] as string,
    role: v[at + 4] as User['role'],
    avatarUrl: v[at + 5] as string | null,
    passwordHash: v[at + 6] as string | null,
    createdAt: date(v[at + 7]),
  }),
);

export const ticketRows = model<Ticket>()(
  [
    'id',
    'organizationId',
    'number',
    'title',
    'body',
    'status',
    'priority',
    'requesterId',
    'assigneeId',
    'createdAt',
    'updatedAt',
    'resolvedAt',
  ],
  (v, at) => ({
    id: v[at] as number,
    organizationId: v[at + 1] as number,
    number: v[at + 2] as number,
    title: v[at + 3] as string,
    body: v[at + 4] as string,
    status: v[at + 5] as Ticket['status'],
    priority: v[at + 6] as Ticket['priority'],
    requesterId: v[at + 7] as number,
    assigneeId: v[at + 8] as number | null,
    createdAt: date(v[at + 9]),
    updatedAt: date(v[at + 10]),
    resolvedAt: dateOrNull(v[at + 11]),
  }),
);

export const commentRows = model<Comment>()(['id', 'ticketId', 'authorId', 'body', 'internal', 'createdAt'], (v, at) => ({
  id: v[at] as number,
  ticketId: v[at + 1] as number,
  authorId: v[at + 2] as number,
  body: v[at + 3] as string,
  internal: v[at + 4] as boolean,
  createdAt: date(v[at + 5]),
}));

export const tagRows = model<Tag>()(['id', 'organizationId', 'name', 'createdAt'], (v, at) => ({
  id: v[at] as number,
  organizationId: v[at + 1] as number,
  name: v[at + 2] as string,
  createdAt: date(v[at + 3]),
}));
