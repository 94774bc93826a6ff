// The registry commands' failures, told in words a user can act on; apart from the commands, so that the
// CLI can tell them apart without loading anything heavy.
import type { PushProblem } from './check-push.ts';

/** A mistake of the caller's, or a refused push: the CLI prints the message and exits 1. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** A push with documents that cannot be trusted: nothing was registered. */
export class PushRejected extends RegistryError {
  override name = 'PushRejected';
  constructor(
    readonly client: string,
    readonly problems: PushProblem[],
  ) {
    super(`Nothing was registered for "${client}": ${problems.length} problem(s) in the manifest.`);
  }
}

/**
 * A database failure in one sentence: Prisma's messages quote the calling code over several lines, and
 * the last line is the cause. A missing table means the migrations were not applied.
 */
export function databaseFailure(error: unknown): string {
  if ((error as { code?: unknown }).code === 'P2021') return 'the registry tables do not exist: apply the migrations (npm run db:migrate)';
  const lines = (error instanceof Error ? error.message : String(error)).split('\n').filter((line) => line.trim() !== '');
  return lines[lines.length - 1]?.trim() ?? 'unknown error';
}
