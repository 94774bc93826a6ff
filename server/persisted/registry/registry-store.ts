// The registry's rows (prisma/schema.prisma: TrustedClient, TrustedDocument): every read and write the
// CLI and the server make, each a bounded number of statements — documents are read and written in
// pages of PAGE rows, never one statement per document.
import type { PrismaClient } from '../../../prisma/generated/client.ts';

/** Rows per statement when documents are read or written in bulk. */
const PAGE = 500;
// A push of many thousand documents on the embedded database takes a while; Prisma's default is 5 s.
const TRANSACTION_TIMEOUT_MS = 10 * 60_000;

export interface RegisteredDocument {
  /** SHA-256 of body, lowercase hex. */
  hash: string;
  body: string;
  operationName: string | null;
}

export interface WriteProgress {
  done: number;
  total: number;
}

export interface PushOutcome {
  added: number;
  /** Already registered for the client (a hash is its document, so nothing to update). */
  existing: number;
  /** The client's documents after the push. */
  total: number;
  revision: number;
}

/**
 * Registers documents for a client, in one transaction: all of them or (on any failure) none. Adding is
 * idempotent; the client's revision moves, so every instance rereads the client.
 */
export function pushDocuments(
  prisma: PrismaClient,
  clientName: string,
  documents: readonly RegisteredDocument[],
  onProgress?: (progress: WriteProgress) => void,
): Promise<PushOutcome> {
  return prisma.$transaction(
    async (tx) => {
      // First, so concurrent pushes to one client queue on its row and each sees the other's documents.
      const client = await tx.trustedClient.upsert({
        where: { name: clientName },
        create: { name: clientName },
        update: { revision: { increment: 1 } },
      });
      let added = 0;
      for (let start = 0; start < documents.length; start += PAGE) {
        const page = documents.slice(start, start + PAGE).map((document) => ({ clientName, ...document }));
        added += (await tx.trustedDocument.createMany({ data: page, skipDuplicates: true })).count;
        onProgress?.({ done: start + page.length, total: documents.length });
      }
      const total = await tx.trustedDocument.count({ where: { clientName } });
      return { added, existing: documents.length - added, total, revision: client.revision };
    },
    { timeout: TRANSACTION_TIMEOUT_MS },
  );
}

/** Removes one document (by hash) or all of a client's; the revision moves when anything went. Returns how many went. */
export function removeDocuments(prisma: PrismaClient, clientName: string, hash: string | 'all'): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.trustedDocument.deleteMany({ where: hash === 'all' ? { clientName } : { clientName, hash } });
    // The client's row stays: its revision must only ever grow, or an instance holding an older state
    // could mistake a later one for what it holds.
    if (count > 0) await tx.trustedClient.update({ where: { name: clientName }, data: { revision: { increment: 1 } } });
    return count;
  });
}

export interface ClientSummary {
  name: string;
  revision: number;
  documents: number;
  updatedAt: Date;
}

/** Every client with its revision and document count, by name: one statement. */
export async function listClients(prisma: PrismaClient): Promise<ClientSummary[]> {
  const rows = await prisma.trustedClient.findMany({
    orderBy: { name: 'asc' },
    select: { name: true, revision: true, updatedAt: true, _count: { select: { documents: true } } },
  });
  return rows.map(({ _count, ...row }) => ({ ...row, documents: _count.documents }));
}

/** A client's documents without their bodies, by operation name: for listing. */
export function listDocuments(prisma: PrismaClient, clientName: string) {
  return prisma.trustedDocument.findMany({
    where: { clientName },
    orderBy: [{ operationName: 'asc' }, { hash: 'asc' }],
    select: { hash: true, operationName: true, createdAt: true },
  });
}

/** Every client's revision: what an instance compares with what it holds, in one small statement. */
export async function readRevisions(prisma: PrismaClient): Promise<Map<string, number>> {
  const rows = await prisma.trustedClient.findMany({ select: { name: true, revision: true } });
  return new Map(rows.map((row) => [row.name, row.revision]));
}

/** The documents of these clients, hash → body per client, read in keyset pages of PAGE rows. */
export async function readDocuments(prisma: PrismaClient, clientNames: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const byClient = new Map<string, Map<string, string>>(clientNames.map((name) => [name, new Map()]));
  let after: { clientName: string; hash: string } | undefined;
  for (;;) {
    const rows = await prisma.trustedDocument.findMany({
      where: {
        clientName: { in: [...clientNames] },
        ...(after ? { OR: [{ clientName: { gt: after.clientName } }, { clientName: after.clientName, hash: { gt: after.hash } }] } : {}),
      },
      orderBy: [{ clientName: 'asc' }, { hash: 'asc' }],
      select: { clientName: true, hash: true, body: true },
      take: PAGE,
    });
    for (const row of rows) byClient.get(row.clientName)!.set(row.hash, row.body);
    if (rows.length < PAGE) return byClient;
    const last = rows[rows.length - 1]!;
    after = { clientName: last.clientName, hash: last.hash };
  }
}
