// Makes the runtime a run was given: the one place that knows the kinds (nothing above the seam branches on them).
import type { Runtime } from './runtime';
import { EmbeddedRuntime } from './embeddedRuntime';
import { NativeRuntime } from './nativeRuntime';

export type RuntimeImplementation = 'embedded' | 'python';

export function createRuntime(kind: RuntimeImplementation): Runtime {
  return kind === 'python' ? new NativeRuntime() : new EmbeddedRuntime();
}
