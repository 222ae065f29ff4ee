// View and version ops: `.data` (same storage, its own version counter), `_version`, is_contiguous.
import type { OpContext } from './context';

export interface ViewOps {
  /** `t.data`: a handle on t's storage outside the graph, whose writes autograd does not see (`_version` of its own). */
  data_alias: (h: number) => number;
  /** `t._version`: the in-place writes to t, its views and detached aliases. */
  version: (h: number) => number;
  is_contiguous: (h: number) => boolean;
}

/** The view entries of the op table. */
export function createViewOps(ctx: OpContext): ViewOps {
  const { engine } = ctx;
  return {
    data_alias: (h: number) => engine.alias(h, true),
    version: (h: number) => engine.version(h),
    is_contiguous: (h: number) => engine.isContiguous(h),
  };
}
