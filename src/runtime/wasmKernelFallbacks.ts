// Gives the wasm backend the kernels it lacks (e.g. Conv2DBackpropFilter) by running the cpu backend's kernel on copies,
// and kernels that move data between views on the heap instead of copying whole inputs (wasmDataMoves.ts).
import * as tf from '@tensorflow/tfjs-core';
import { moveDataInPlaceOnWasm } from './wasmDataMoves';

interface DataBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object): void;
}

let registered = false;

export function registerCpuFallbacksOnWasm(): void {
  if (registered) return;
  registered = true;
  moveDataInPlaceOnWasm();
  const onWasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (onWasm.has(kernel.kernelName)) continue;
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const wasm = backend as unknown as DataBackend;
        const cpu = tf.findBackend('cpu') as unknown as DataBackend;
        const cpuInputs: Record<string, tf.TensorInfo> = {};
        for (const [name, info] of Object.entries(inputs)) {
          if (!info) continue;
          cpuInputs[name] = { ...info, dataId: cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype) };
        }
        try {
          const result = kernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu as unknown as tf.KernelBackend });
          const outputs = Array.isArray(result) ? result : [result];
          const moved = outputs.map((out) => {
            const dataId = wasm.write(cpu.readSync(out.dataId), out.shape, out.dtype);
            cpu.disposeData(out.dataId);
            return { dataId, shape: out.shape, dtype: out.dtype };
          });
          return Array.isArray(result) ? moved : moved[0];
        } finally {
          for (const info of Object.values(cpuInputs)) cpu.disposeData(info.dataId);
        }
      },
    });
  }
}
