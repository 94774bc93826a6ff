// Keeps this instance's copy of the registry (the clients of PersistedDocuments) in step with the
// database. Requests only ever read the copy: a persisted request costs no SQL. The copy is read
// before the server listens; again when a push's notice arrives on the cache bus (with Redis: every
// instance at once); and every refreshMs, which is how an instance without Redis learns of a push, and
// how one that missed a notice (cut off from Redis at that moment) catches up. Each read is one small
// statement for the revisions, plus pages of documents for the clients whose revision moved.
import type { PrismaClient } from '../../../prisma/generated/client.ts';
import type { Logger } from '../../platform/logger.ts';
import { WEB_CLIENT } from '../client-name.ts';
import type { PersistedDocuments } from '../persisted-documents.ts';
import { databaseFailure } from './registry-errors.ts';
import { readDocuments, readRevisions } from './registry-store.ts';

export interface RegistrySyncOptions {
  documents: PersistedDocuments;
  prisma: PrismaClient;
  /** How often to look for changes nobody announced; 0: only at start and on notices. */
  refreshMs: number;
  logger: Logger;
}

class RegistryLoadError extends Error {
  override name = 'RegistryLoadError';
}

export class RegistrySync {
  /** client → the revision whose documents this instance holds. */
  private readonly held = new Map<string, number>();
  private running: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RegistrySyncOptions) {}

  /** Reads the registry (before the server listens: a client registered before the start is served from the first request) and starts the periodic check. */
  async start(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      throw new RegistryLoadError(`Cannot read the trusted-document registry: ${databaseFailure(error)}.`);
    }
    if (this.options.refreshMs > 0) {
      this.timer = setInterval(() => this.refreshOrWarn(), this.options.refreshMs);
      this.timer.unref();
    }
  }

  /** A push's notice came on the bus (the CLI names the client; whatever changed is reread). */
  notified(clientName: string): void {
    this.options.logger.debug({ client: clientName }, 'trusted-document registry notice');
    this.refreshOrWarn();
  }

  /** Rereads what changed since the last read. Reads run one at a time; calls made while one waits share it. */
  private refresh(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.running.then(() => {
      this.queued = null;
      return this.sync();
    });
    this.queued = next;
    this.running = next.catch(() => {});
    return next;
  }

  private refreshOrWarn(): void {
    this.refresh().catch((error: unknown) =>
      this.options.logger.warn(`could not read the trusted-document registry (${databaseFailure(error)}); keeping what is held`),
    );
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sync(): Promise<void> {
    const { documents, prisma, logger } = this.options;
    // The web client's documents are its manifest: a row under its name (written by hand) is not read.
    const revisions = await readRevisions(prisma);
    revisions.delete(WEB_CLIENT);
    const changed = [...revisions].filter(([name, revision]) => this.held.get(name) !== revision).map(([name]) => name);
    const gone = [...this.held.keys()].filter((name) => !revisions.has(name));
    const read = changed.length > 0 ? await readDocuments(prisma, changed) : new Map<string, Map<string, string>>();
    for (const name of changed) {
      const held = read.get(name)!;
      documents.setClient(name, held);
      this.held.set(name, revisions.get(name)!);
      logger.info(
        { client: name, documents: held.size, revision: revisions.get(name) },
        `trusting ${held.size} document(s) of client "${name}"`,
      );
    }
    for (const name of gone) {
      documents.setClient(name, new Map());
      this.held.delete(name);
      logger.info({ client: name }, `client "${name}" is no longer in the registry`);
    }
  }
}
