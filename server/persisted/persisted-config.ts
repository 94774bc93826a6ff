// Which documents may run: trusted ones from the client's manifest, by hash, and (allow mode) any other.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { bool, int } from '../platform/env-schema.ts';
import type { NodeEnv } from '../platform/platform-config.ts';

export interface PersistedConfig {
  /** require: only hashes from the manifest, the registry (or APQ) run; allow: documents too; off: no hashes. */
  mode: 'require' | 'allow' | 'off';
  /** The trusted documents: an absolute file path or an http(s) URL of codegen's persisted-documents.json. */
  manifest: string | null;
  /** Automatic persisted queries: remember documents clients send with their hash (allow mode only). */
  apq: boolean;
  /** Bounds of those remembered documents, so clients cannot fill the memory with them. */
  apqMaxDocuments: number;
  apqMaxDocumentBytes: number;
  /**
   * How often each instance looks for registry changes (npm run operations -- push) it was not told of
   * on the cache bus: how an instance without Redis learns of a push, and one that missed a notice catches up. 0: never.
   */
  registryRefreshMs: number;
}

/** Where codegen writes the web client's trusted documents; the manifest used when none is configured. */
export const CLIENT_MANIFEST = 'client/src/gql/persisted-documents.json';

export const persistedEnv = z.object({
  PERSISTED_OPERATIONS: z
    .enum(['require', 'allow', 'off'], { error: () => 'PERSISTED_OPERATIONS must be require, allow or off' })
    .optional(),
  PERSISTED_OPERATIONS_MANIFEST: z.string().min(1).optional(),
  PERSISTED_OPERATIONS_APQ: bool('PERSISTED_OPERATIONS_APQ').default(false),
  PERSISTED_OPERATIONS_APQ_MAX: int('PERSISTED_OPERATIONS_APQ_MAX', 1, 1_000_000).default(1000),
  PERSISTED_OPERATIONS_APQ_MAX_KB: int('PERSISTED_OPERATIONS_APQ_MAX_KB', 1, 1024).default(32),
  PERSISTED_OPERATIONS_REGISTRY_REFRESH_SECONDS: int('PERSISTED_OPERATIONS_REGISTRY_REFRESH_SECONDS', 0, 86_400).default(30),
});

export function persistedConfig(e: z.output<typeof persistedEnv>, nodeEnv: NodeEnv, cwd: string): PersistedConfig {
  const mode = e.PERSISTED_OPERATIONS ?? (nodeEnv === 'production' ? 'require' : 'allow');
  return {
    mode,
    manifest: manifestOf(e.PERSISTED_OPERATIONS_MANIFEST, mode, cwd),
    apq: e.PERSISTED_OPERATIONS_APQ,
    apqMaxDocuments: e.PERSISTED_OPERATIONS_APQ_MAX,
    apqMaxDocumentBytes: e.PERSISTED_OPERATIONS_APQ_MAX_KB * 1024,
    registryRefreshMs: e.PERSISTED_OPERATIONS_REGISTRY_REFRESH_SECONDS * 1000,
  };
}

function manifestOf(configured: string | undefined, mode: PersistedConfig['mode'], cwd: string): string | null {
  if (configured) return /^https?:\/\//.test(configured) ? configured : path.resolve(cwd, configured);
  // The shipped web client sends only hashes, so its manifest is trusted unless another is named;
  // that is what lets `require` (the production default) and the client work out of the box.
  const shipped = path.resolve(cwd, CLIENT_MANIFEST);
  return mode !== 'off' && existsSync(shipped) ? shipped : null;
}

/** Why these settings cannot work, or null. */
export function persistedProblem(persisted: PersistedConfig): string | null {
  if (persisted.mode !== 'require' || persisted.manifest) return null;
  return `PERSISTED_OPERATIONS=require (the production default) needs PERSISTED_OPERATIONS_MANIFEST: the path or URL of the client's persisted-documents.json (${CLIENT_MANIFEST} is used when it exists: run npm run codegen). Set PERSISTED_OPERATIONS=allow to run any document.`;
}
