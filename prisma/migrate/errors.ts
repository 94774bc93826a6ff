// Failures worded for a terminal, from what the schema engine and the database report.
import type { ErrorRegistry } from '@prisma/driver-adapter-utils';

/** A failure worded for a terminal: the migration concerned and the database's own message. */
export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    message: string,
    /** Prisma's error code (P3005, P3009, ...), when the engine gave one. */
    readonly code?: string,
    /** The migration that failed, when one did. */
    readonly migration?: string,
  ) {
    super(message);
  }
}

/** A PostgreSQL error as pg and PGlite report it. */
export interface DatabaseError {
  code: string;
  severity: string;
  message: string;
  detail?: string;
  hint?: string;
}

/**
 * The engine's errors carry a Rust span trace ("   0: sql_schema_connector::..."), replace the
 * database's message by a paraphrase ("No such table: Nope"), and refer to errors thrown in JS by a
 * registry id; panics arrive as "RuntimeError: unreachable". Keep the message, the code and the
 * migration's name, with the database's own words where we have them.
 */
export function readableError(error: unknown, registry: ErrorRegistry, scriptError: DatabaseError | undefined): Error {
  if (!(error instanceof Error)) return new MigrationError(`The schema engine failed: ${String(error)}`);
  // With @prisma/client loaded, its registry turns the panic into a PrismaClientRustPanicError. The
  // panic's own message is in the registry loadEngine installs (wasm-engine.ts).
  if (error.name === 'RuntimeError' || error.name.includes('Panic')) {
    const panic = globalThis.PRISMA_WASM_PANIC_REGISTRY?.get?.() || error.message;
    return new MigrationError(`The schema engine crashed: ${panic}`);
  }
  const { code } = error as { code?: unknown };
  const migration = /migration_name="([^"]+)"/.exec(error.message)?.[1];
  // P3009 names an earlier run's failure in its text: "The `20250101000000_x` migration started at ..."
  const failedEarlier = code === 'P3009' ? /The `([^`]+)` migration/.exec(error.message)?.[1] : undefined;
  let message = error.message
    .split(/\n\s*0: /)[0]!
    .replace(/^external connector error\n/, '')
    .trim();
  const jsErrorId = /External error id#(\d+)/.exec(error.message)?.[1];
  const jsError = jsErrorId === undefined ? undefined : registry.consumeError(Number(jsErrorId))?.error;
  if (jsError instanceof Error) message = jsError.message || String((jsError as { code?: unknown }).code ?? jsError.name);
  if (migration && scriptError) message = describeDatabaseError(scriptError);
  return new MigrationError(
    migration ? `Migration ${migration} failed: ${message}` : message,
    typeof code === 'string' ? code : undefined,
    migration ?? failedEarlier,
  );
}

function describeDatabaseError({ message, code, detail, hint }: DatabaseError): string {
  return [`${message} (SQLSTATE ${code})`, detail && `Detail: ${detail}`, hint && `Hint: ${hint}`].filter(Boolean).join('. ');
}
