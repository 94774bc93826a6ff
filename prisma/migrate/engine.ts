// One session with the schema engine: on its turn, over an adapter that runs migration scripts whole,
// with the engine's log forwarded and its errors made readable, and with the engine freed afterwards.
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import * as runtime from '@prisma/schema-engine-wasm/schema_engine_bg';
import { readableError } from './errors.ts';
import { engineClosed, engineOpened, inTurn, loadEngine } from './wasm-engine.ts';
import { wholeScripts, type ScriptErrors } from './whole-scripts.ts';

export function withEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: ((line: string) => void) | undefined,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  return inTurn(() => withEngineNow(adapterFactory, log, run));
}

async function withEngineNow<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: ((line: string) => void) | undefined,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadEngine();
  const scripts: ScriptErrors = {};
  const bound = bindMigrationAwareSqlAdapterFactory(wholeScripts(adapterFactory, scripts));
  let engine: SchemaEngine | undefined;
  engineOpened();
  try {
    engine = await runtime.SchemaEngine.new({ datamodels: undefined }, (line: string) => forwardLog(line, log), bound);
    return await run(engine);
  } catch (error) {
    throw readableError(error, bound.errorRegistry, scripts.last);
  } finally {
    try {
      engine?.free();
    } catch {
      // After a panic the engine cannot be freed ("Rust value ... borrowed"); the panic is what matters.
    }
    engineClosed();
  }
}

function forwardLog(line: string, log: ((line: string) => void) | undefined): void {
  if (!log) return;
  try {
    const { level, fields } = JSON.parse(line) as { level?: string; fields?: { message?: string } };
    if (fields?.message && level !== 'DEBUG' && level !== 'TRACE') log(fields.message);
  } catch {
    if (line.trim()) log(line.trim());
  }
}
