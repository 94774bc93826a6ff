// One statement reads a page of children for many parents at once: ROW_NUMBER() partitioned by the
// parent cuts each parent's rows at the page size, so "the first 5 comments of 100 tickets" costs one
// query, and never reads a busy ticket's thousands of comments. Prisma's typed API has no per-parent
// limit, hence SQL, sent through the SQL reader (sql/reader.ts); table and column names come only from
// the specs in loaders.ts, never from input, and every value is a bound parameter.
import type { PageWindow } from './pagination.ts';
import { INT, INT_LIST, SqlParams, TEXT } from './sql/params.ts';
import type { SqlReader } from './sql/reader.ts';
import type { RowModel } from './sql/rows.ts';

export interface ChildListSpec<Row> {
  table: 'Comment' | 'Ticket' | 'User';
  rows: RowModel<Row>;
  parentColumn: string;
  sortColumn: string;
  sortType: 'timestamp' | 'text';
  direction: 'ASC' | 'DESC';
}

/** A condition added to the statement's WHERE ("AND …", or ""), its values bound in `params`. */
export type ChildFilterSql = (params: SqlParams) => string;

const noFilter: ChildFilterSql = () => '';

function keysetCondition<Row>(spec: ChildListSpec<Row>, window: PageWindow, params: SqlParams): string {
  if (!window.after && !window.before) return '';
  const cast = spec.sortType === 'timestamp' ? '::timestamp(3)' : '::text';
  const row = `(c."${spec.sortColumn}", c."id")`;
  const bound = ([value, id]: [string | number, number]) =>
    `(${params.add(value, typeof value === 'number' ? INT : TEXT)}${cast}, ${params.add(id, INT)}::int)`;
  let sql = '';
  if (window.after) sql += ` AND ${row} ${spec.direction === 'ASC' ? '>' : '<'} ${bound(window.after)}`;
  if (window.before) sql += ` AND ${row} ${spec.direction === 'ASC' ? '<' : '>'} ${bound(window.before)}`;
  return sql;
}

/** Reads one page per parent; returns rows grouped by parent id, in page order (reversed when inverted). */
export async function fetchChildPages<Row>(
  reader: SqlReader,
  spec: ChildListSpec<Row>,
  parentIds: readonly number[],
  window: PageWindow,
  filter: ChildFilterSql = noFilter,
): Promise<Map<number, Row[]>> {
  const params = new SqlParams();
  const parents = params.add(parentIds, INT_LIST);
  const conditions = filter(params) + keysetCondition(spec, window, params);
  const limit = params.add(window.limit, INT);
  const direction = (spec.direction === 'ASC') !== window.inverted ? 'ASC' : 'DESC';
  const parent = `c."${spec.parentColumn}"`;
  const sql = `SELECT ${spec.rows.select('r')}, r."__parent" FROM (
      SELECT c.*, ${parent} AS "__parent",
             ROW_NUMBER() OVER (PARTITION BY ${parent} ORDER BY c."${spec.sortColumn}" ${direction}, c."id" ${direction}) AS "__rank"
      FROM "${spec.table}" c
      WHERE ${parent} = ANY(${parents}::int[]) ${conditions}
    ) r
    WHERE r."__rank" <= ${limit}
    ORDER BY r."__parent", r."__rank"`;
  const byParent = new Map<number, Row[]>();
  const width = spec.rows.width;
  for (const values of await reader.rows(sql, params.args, params.types)) {
    const parentId = values[width] as number;
    const list = byParent.get(parentId);
    if (list) list.push(spec.rows.row(values, 0));
    else byParent.set(parentId, [spec.rows.row(values, 0)]);
  }
  return byParent;
}
