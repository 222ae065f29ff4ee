// The tfjs backends a run can ask for, apart from tfjsBackend.ts so that naming one (the CLI's --backend) does not
// load TensorFlow.js into the process that only starts the runtime's worker.
export type BackendChoice = 'auto' | 'wasm' | 'cpu' | 'tensorflow';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'cpu', 'tensorflow'];
