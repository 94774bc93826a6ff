// The kinds of per-request loader (loaders.ts builds each relation's from one of these): rows by id, rows
// grouped by a foreign key, and pages of children per parent. Each answers in key order, batches the keys
// of one tick into one statement, and is a KnownLoader (primed rows answer without a promise).
import { fetchChildPages, type ChildFilterSql, type ChildListSpec } from './child-pages.ts';
import { KnownLoader } from './known-loader.ts';
import type { PageWindow } from './pagination.ts';
import { INT_LIST } from './sql/params.ts';
import type { SqlReader } from './sql/reader.ts';
import type { RowModel } from './sql/rows.ts';

export interface LoaderOptions {
  /**
   * false turns batching off: every load becomes its own statement. That is the N+1 baseline the
   * statement-count tests and benchmarks compare against; nothing in production sets it.
   */
  batch: boolean;
}

/** A statement reading rows of one model for a list of keys ($1, an int[]), and how to map them. */
export interface KeyedRead<T> {
  sql: string;
  rows: RowModel<T>;
}

/** Loads rows by primary key, answering in key order with null for ids that do not exist. */
export function byId<T extends { id: number }>(reader: SqlReader, read: KeyedRead<T>, options: LoaderOptions) {
  return new KnownLoader<number, T | null>(async (ids) => {
    const found = new Map<number, T>();
    for (const values of await reader.rows(read.sql, [ids], [INT_LIST])) {
      const row = read.rows.row(values, 0);
      found.set(row.id, row);
    }
    return ids.map((id) => found.get(id) ?? null);
  }, options);
}

/** Loads the rows that belong to each key (a foreign key, the column after the row's), in key order. */
export function groupedBy<T>(reader: SqlReader, read: KeyedRead<T>, options: LoaderOptions) {
  const keyAt = read.rows.width;
  return new KnownLoader<number, T[]>(async (keys) => {
    const groups = new Map<number, T[]>();
    for (const values of await reader.rows(read.sql, [keys], [INT_LIST])) {
      const key = values[keyAt] as number;
      const list = groups.get(key);
      if (list) list.push(read.rows.row(values, 0));
      else groups.set(key, [read.rows.row(values, 0)]);
    }
    return keys.map((key) => groups.get(key) ?? []);
  }, options);
}

export interface ChildPageKey<F = unknown> {
  parentId: number;
  window: PageWindow;
  filter?: F;
}

/** The shape of a key: keys of one shape are read in one statement. */
const pageShape = (key: ChildPageKey<unknown>) => JSON.stringify([key.window, key.filter ?? null]);

/**
 * Pages of children for many parents. Keys asking for the same window and filter are read together in
 * one statement; different windows (rare in one request) get one statement each.
 */
export function childPages<Row, F = undefined>(
  reader: SqlReader,
  spec: ChildListSpec<Row>,
  filterSql: (filter: F | undefined) => ChildFilterSql,
  options: LoaderOptions,
) {
  return new KnownLoader<ChildPageKey<F>, Row[], string>(
    async (keys) => {
      const groups = new Map<string, ChildPageKey<F>[]>();
      for (const key of keys) {
        const shape = pageShape(key);
        const group = groups.get(shape);
        if (group) group.push(key);
        else groups.set(shape, [key]);
      }
      const results = new Map<ChildPageKey<F>, Row[]>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const first = group[0]!;
          const pages = await fetchChildPages<Row>(
            reader,
            spec,
            group.map((key) => key.parentId),
            first.window,
            filterSql(first.filter),
          );
          for (const key of group) results.set(key, pages.get(key.parentId) ?? []);
        }),
      );
      return keys.map((key) => results.get(key) ?? []);
    },
    { ...options, cacheKeyFn: (key) => JSON.stringify([key.parentId, key.window, key.filter ?? null]) },
  );
}
