// What every resolver receives. Built once per request by the server (server/use-viewer.ts).
import type { PrismaClient } from '../prisma/generated/client.ts';
import type { Loaders } from './loaders.ts';
import type { Viewer } from './viewer.ts';

export interface SchemaSettings {
  maxPageSize: number;
  tokenTtlHours: number;
}

export interface Context {
  prisma: PrismaClient;
  viewer: Viewer | null;
  loaders: Loaders;
  settings: SchemaSettings;
  /** The bearer token of this request (hashed lookups only), so logout can revoke it. */
  tokenHash: string | null;
}
