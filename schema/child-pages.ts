// One statement reads a page of children for many parents at once: ROW_NUMBER() partitioned by the
// parent cuts each parent's rows at the page size, so "the first 5 comments of 100 tickets" costs one
// query, and never reads a busy ticket's thousands of comments. Prisma's typed API has no per-parent
// limit, hence raw SQL; table and column names come only from the specs below, never from input.
import { Prisma, type PrismaClient } from '../prisma/generated/client.ts';
import type { PageWindow } from './pagination.ts';

export interface ChildListSpec {
  table: 'Comment' | 'Ticket' | 'User';
  parentColumn: string;
  sortColumn: string;
  sortType: 'timestamp' | 'text';
  direction: 'ASC' | 'DESC';
}

const ident = (name: string) => Prisma.raw(`"${name.replace(/"/g, '')}"`);

function keysetCondition(spec: ChildListSpec, window: PageWindow): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  const cast = spec.sortType === 'timestamp' ? Prisma.raw('::timestamp(3)') : Prisma.raw('::text');
  const row = Prisma.sql`(c.${ident(spec.sortColumn)}, c."id")`;
  const later = spec.direction === 'ASC' ? Prisma.raw('>') : Prisma.raw('<');
  const earlier = spec.direction === 'ASC' ? Prisma.raw('<') : Prisma.raw('>');
  if (window.after) parts.push(Prisma.sql`${row} ${later} (${window.after[0]}${cast}, ${window.after[1]}::int)`);
  if (window.before) parts.push(Prisma.sql`${row} ${earlier} (${window.before[0]}${cast}, ${window.before[1]}::int)`);
  return parts.length ? Prisma.sql`AND ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

/** Reads one page per parent; returns rows grouped by parent id, in page order (reversed when inverted). */
export async function fetchChildPages<Row>(
  prisma: PrismaClient,
  spec: ChildListSpec,
  parentIds: readonly number[],
  window: PageWindow,
  filter: Prisma.Sql = Prisma.empty,
): Promise<Map<number, Row[]>> {
  const direction = (spec.direction === 'ASC') !== window.inverted ? Prisma.raw('ASC') : Prisma.raw('DESC');
  const rows = await prisma.$queryRaw<(Row & { __parent: number })[]>`
    SELECT * FROM (
      SELECT c.*, c.${ident(spec.parentColumn)} AS "__parent",
             ROW_NUMBER() OVER (PARTITION BY c.${ident(spec.parentColumn)}
                                ORDER BY c.${ident(spec.sortColumn)} ${direction}, c."id" ${direction}) AS "__rank"
      FROM ${ident(spec.table)} c
      WHERE c.${ident(spec.parentColumn)} = ANY(${[...parentIds]}::int[]) ${filter} ${keysetCondition(spec, window)}
    ) ranked
    WHERE "__rank" <= ${window.limit}
    ORDER BY "__parent", "__rank"`;
  const byParent = new Map<number, Row[]>();
  for (const { __parent, __rank, ...row } of rows as (Row & { __parent: number; __rank: unknown })[]) {
    const list = byParent.get(__parent) ?? [];
    list.push(row as Row);
    byParent.set(__parent, list);
  }
  return byParent;
}
