// The models' rows as the SQL reader (reader.ts) returns them — arrays in column order, timestamps as
// text — turned into exactly what Prisma's findMany returns (Date objects, enums as their names, every
// column), so resolvers and the response cache cannot tell the two apart (test/sql-reader.test.ts compares them).
// Each model lists its columns once; the compiler refuses a list that misses a column of the model.
import type { Comment, Organization, Tag, Ticket, User } from '../../prisma/generated/client.ts';

export interface RowModel<T> {
  /** The select list for table alias `alias`, in the order `row` reads. */
  select(alias: string): string;
  /** How many columns `select` lists. */
  width: number;
  /** The model's row from the columns of `values` that start at `at`. */
  row(values: readonly unknown[], at: number): T;
}

/** Every column of T, each once (a type error names the missing ones). */
type AllColumns<T, C extends readonly (keyof T)[]> =
  Exclude<keyof T, C[number]> extends never ? C : { missing: Exclude<keyof T, C[number]> };

function model<T>() {
  return <const C extends readonly (keyof T & string)[]>(columns: C & AllColumns<T, C>, row: RowModel<T>['row']): RowModel<T> => {
    // Statements are built per batch: their select lists are built once per alias.
    const lists = new Map<string, string>();
    const select = (alias: string) => {
      let list = lists.get(alias);
      if (list === undefined) lists.set(alias, (list = columns.map((column) => `${alias}."${column}"`).join(', ')));
      return list;
    };
    return { select, width: columns.length, row };
  };
}

// int4 and boolean arrive as numbers and booleans, text and enums as strings: only timestamps need work.
const date = (value: unknown) => new Date(value as string);
const dateOrNull = (value: unknown) => (value === null ? null : new Date(value as string));

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
