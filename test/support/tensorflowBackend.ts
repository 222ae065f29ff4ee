// Test support: whether the tensorflow backend can run here (`npm run setup:tensorflow`'s build), and a SKIP line when not (a failure when CI=true).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setupBuildFolder } from '../../src/runtime/nativeBindings';
import { REPO } from './runtimeCli';

/** The folder of the tfjs-node that `npm run setup:tensorflow` builds, which `--backend tensorflow` falls back to. */
export const TFJS_NODE_BUILD = join(setupBuildFolder(join(REPO, 'dist')), 'node_modules', '@tensorflow', 'tfjs-node');

/** Why the tensorflow backend can't run here, or null when its build is in place. */
export function tensorflowBackendMissing(): string | null {
  if (!existsSync(join(TFJS_NODE_BUILD, 'package.json'))) {
    return `no tfjs-node build in ${TFJS_NODE_BUILD} (run npm run setup:tensorflow)`;
  }
  const lib = join(TFJS_NODE_BUILD, 'lib');
  const built = existsSync(lib) && readdirSync(lib).some((napi) => existsSync(join(lib, napi, 'tfjs_binding.node')));
  return built ? null : `tfjs-node in ${TFJS_NODE_BUILD} has no built binding (run npm run setup:tensorflow)`;
}

/**
 * For a test on the tensorflow backend: the reason to skip it after printing `SKIP: <why>`, or undefined when the
 * backend is there. Under CI=true (which runs the setup) a missing build throws instead.
 */
export function skipWithoutTensorflow(what: string): string | undefined {
  const missing = tensorflowBackendMissing();
  if (!missing) return undefined;
  const why = `${what} on the tensorflow backend: ${missing}`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
  console.log(`SKIP: ${why}`);
  return why;
}
