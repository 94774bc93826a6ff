// The schema engine compiled to WebAssembly (@prisma/schema-engine-wasm) is process-wide state: loaded
// once, used by one engine at a time, and its timers must not hold a finished process open.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as runtime from '@prisma/schema-engine-wasm/schema_engine_bg';

declare global {
  // Where the engine's Rust panic hook leaves its message. @prisma/client installs its own, without get().
  var PRISMA_WASM_PANIC_REGISTRY: { get?(): string; set_message(message: string): void } | undefined;
}

// The engine arms timers (10 s, around its advisory lock) that it never clears, which would keep a
// finished script alive; they are cleared as soon as no engine is open.
const engineTimers = new Set<ReturnType<typeof setTimeout>>();
let openEngines = 0;

// The wasm runtime module is shared by the whole process, but this module may be loaded more than
// once (vitest gives each test project its own module graph). So the loaded instance and the turn
// lock live on globalThis, beside the runtime they guard.
interface EngineState {
  loading?: Promise<void>;
  turn: Promise<unknown>;
}
const shared = ((globalThis as { __deskgraphSchemaEngine?: EngineState }).__deskgraphSchemaEngine ??= {
  turn: Promise.resolve(),
});

export function loadEngine(): Promise<void> {
  shared.loading ??= (async () => {
    let panic = '';
    globalThis.PRISMA_WASM_PANIC_REGISTRY ??= { get: () => panic, set_message: (message) => (panic = message) };
    const imports: Record<string, unknown> = { ...runtime };
    for (const name of Object.keys(imports).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
      imports[name] = (callback: () => void, ms: number) => {
        const timer = setTimeout(() => {
          engineTimers.delete(timer);
          callback();
        }, ms >>> 0);
        engineTimers.add(timer);
        return timer;
      };
    }
    // The package's own entry point imports the .wasm as an ES module, which Node does not load.
    const jsPath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const { instance } = await WebAssembly.instantiate(await readFile(jsPath.replace(/\.js$/, '.wasm')), {
      './schema_engine_bg.js': imports as WebAssembly.ModuleImports,
    });
    (runtime as unknown as { __wbg_set_wasm(exports: WebAssembly.Exports): void }).__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return shared.loading;
}

// One wasm instance serves the whole process, and two engines driving it at once corrupt its memory
// (seen as invalid UTF-8 from the engine when two test projects migrated in parallel): take turns.
export function inTurn<T>(run: () => Promise<T>): Promise<T> {
  const mine = shared.turn.then(run);
  shared.turn = mine.catch(() => undefined);
  return mine;
}

export function engineOpened(): void {
  openEngines += 1;
}

export function engineClosed(): void {
  openEngines -= 1;
  if (openEngines === 0) {
    for (const timer of engineTimers) clearTimeout(timer);
    engineTimers.clear();
  }
}
