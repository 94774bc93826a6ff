// What `npm run operations -- push | list | remove` does (scripts/operations.ts parses the arguments and
// prints): each command as a function of the database and the bus, so tests run exactly this.
import { readFile } from 'node:fs/promises';
import type { PrismaClient } from '../../../prisma/generated/client.ts';
import { clientNameProblem, WEB_CLIENT } from '../client-name.ts';
import { normalizeHash } from '../persisted-documents.ts';
import { checkManifest, type CheckSettings } from './check-push.ts';
import { ManifestFormatError, readManifest, type Manifest } from './manifest-formats.ts';
import { PushRejected, RegistryError } from './registry-errors.ts';
import {
  listClients,
  listDocuments,
  pushDocuments,
  removeDocuments,
  type ClientSummary,
  type PushOutcome,
  type RegisteredDocument,
  type WriteProgress,
} from './registry-store.ts';

export interface RegistryTarget {
  prisma: PrismaClient;
  /** Tells running instances (the cache bus); null without Redis: they see the change at their next periodic check. */
  announce: ((clientName: string) => Promise<number>) | null;
}

/** Whether running instances were told: how many heard it, or why not. */
export type Announcement = { instances: number } | { skipped: 'no-bus' } | { failed: string };

/** A manifest whose every document passed: what a push registers. */
export interface CheckedPush {
  client: string;
  format: Manifest['format'];
  /** Entries in the file (a hash listed twice counts twice). */
  entries: number;
  documents: RegisteredDocument[];
}

export interface PushReport extends PushOutcome, Omit<CheckedPush, 'documents'> {
  announcement: Announcement;
}

export interface PushOptions {
  client: string;
  file: string;
  check: CheckSettings;
  onWriteProgress?: (progress: WriteProgress) => void;
}

/** Checks every document of the manifest, then registers all of them for the client, or none. */
export async function pushManifest(target: RegistryTarget, options: PushOptions): Promise<PushReport> {
  return registerPush(target, await checkPush(options), options.onWriteProgress);
}

/** Reads the manifest and checks every document, without the database; throws PushRejected listing what is wrong. */
export async function checkPush({ client, file, check }: Pick<PushOptions, 'client' | 'file' | 'check'>): Promise<CheckedPush> {
  assertClientName(client);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RegistryError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let manifest: Manifest;
  try {
    manifest = readManifest(text, file);
  } catch (error) {
    if (error instanceof ManifestFormatError) throw new RegistryError(error.message);
    throw error;
  }
  const checked = checkManifest(manifest, check);
  if (checked.problems.length > 0) throw new PushRejected(client, checked.problems);
  return { client, format: manifest.format, entries: manifest.entries.length, documents: checked.documents };
}

/** Registers a checked manifest's documents (in one transaction) and tells the running instances. */
export async function registerPush(
  target: RegistryTarget,
  { documents, ...push }: CheckedPush,
  onWriteProgress?: (progress: WriteProgress) => void,
): Promise<PushReport> {
  const outcome = await pushDocuments(target.prisma, push.client, documents, onWriteProgress);
  return { ...push, ...outcome, announcement: await announce(target, push.client) };
}

/** Removes one document (by its hash, with or without "sha256:") or all of a client's; returns how many went. */
export async function removeFromRegistry(
  target: RegistryTarget,
  client: string,
  which: { hash: string } | 'all',
): Promise<{ removed: number; announcement: Announcement }> {
  assertClientName(client);
  const hash = which === 'all' ? 'all' : normalizeHash(which.hash);
  if (!hash)
    throw new RegistryError(
      `--hash must be a SHA-256 hash ("sha256:" and 64 hex digits, or the digits alone), got "${which === 'all' ? '' : which.hash}".`,
    );
  const removed = await removeDocuments(target.prisma, client, hash);
  if (removed === 0) {
    throw new RegistryError(
      hash === 'all' ? `Client "${client}" has no registered documents.` : `sha256:${hash} is not registered for "${client}".`,
    );
  }
  return { removed, announcement: await announce(target, client) };
}

export type Listing =
  { clients: ClientSummary[] } | { client: string; documents: { hash: string; operationName: string | null; createdAt: Date }[] };

/** Every client with its document count, or (given a client) its documents. */
export async function listRegistry(prisma: PrismaClient, client?: string): Promise<Listing> {
  if (client === undefined) return { clients: await listClients(prisma) };
  assertClientName(client);
  return { client, documents: await listDocuments(prisma, client) };
}

function assertClientName(client: string): void {
  const problem = clientNameProblem(client);
  if (problem) throw new RegistryError(problem);
  if (client === WEB_CLIENT) {
    throw new RegistryError(
      `"${WEB_CLIENT}" is the shipped web client: its documents are its manifest (PERSISTED_OPERATIONS_MANIFEST, written by npm run codegen), not the registry's. Register other clients under their own name.`,
    );
  }
}

// The change is committed whatever happens here: a failed announcement only delays it to each
// instance's next periodic check.
async function announce(target: RegistryTarget, client: string): Promise<Announcement> {
  if (!target.announce) return { skipped: 'no-bus' };
  try {
    return { instances: await target.announce(client) };
  } catch (error) {
    return { failed: error instanceof Error ? error.message : String(error) };
  }
}
