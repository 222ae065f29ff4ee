// Fast paths behind torch.utils.data and torchvision.datasets (the Pyodide module `_trainloop_data`): IDX decoding,
// whole-batch gathers of image rows into one tensor, and file downloads Python can wait on with progress.
//
// Decoded arrays stay here as typed arrays ("stores", by integer id), never as tfjs tensors: a batch is one pass
// over its indices that copies each row through a 256-entry lookup table (the folded pixel transforms), then one
// tensor. Python keeps the ids and frees them when its dataset object dies.
import * as tf from '@tensorflow/tfjs-core';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { TensorEngine, TorchError, type TorchDtype } from './tensorEngine';
import { toNumbers } from './torchOps';
import { asPlainBytes, gunzipWhole, isGzip, readInflated } from './inflatedFiles';

/** A decoded array: row-major values and their shape. IDX files give bytes; integer tensors assigned from Python
 * (`dataset.targets = ...`) may need int32. */
interface Store {
  values: Uint8Array | Int32Array;
  shape: number[];
}

/** A Python buffer (bytes, bytearray, memoryview, array.array) as Pyodide hands it to JavaScript. */
interface PyBuffer {
  getBuffer(type?: string): { data: ArrayBufferView; release(): void };
  destroy?(): void;
}

/** What a download worker reports; Python reads the latest state through `download_poll`. */
interface DownloadState {
  state: 'running' | 'done' | 'failed';
  received: number;
  total: number;
  message: string;
}

interface Download {
  worker: Worker;
  port: MessagePort;
  wake: Int32Array;
  status: DownloadState;
}

/** The IDX element type (third byte of the magic number) of unsigned bytes, the only one MNIST-style files use. */
const IDX_UNSIGNED_BYTE = 0x08;

/** The code of the download worker: fetches one URL into a file, reporting progress through a MessagePort. */
const DOWNLOAD_WORKER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { url, dest, port, wake, connectMs, stallMs } = workerData;
const send = (message) => { port.postMessage(message); Atomics.add(wake, 0, 1); Atomics.notify(wake, 0); };
const describe = (error) => {
  const cause = error && error.cause;
  if (cause && (cause.message || cause.code)) return cause.message || cause.code;
  return (error && error.message) || String(error);
};
(async () => {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(new Error('no response within ' + connectMs / 1000 + ' s')), connectMs);
  const partial = dest + '.part';
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok) throw new Error('HTTP ' + response.status + ' ' + response.statusText);
    const total = Number(response.headers.get('content-length') || 0);
    send({ total, received: 0 });
    const out = fs.openSync(partial, 'w');
    let received = 0;
    let reported = 0;
    try {
      for await (const chunk of response.body) {
        clearTimeout(timer);
        timer = setTimeout(() => controller.abort(new Error('the transfer stalled for ' + stallMs / 1000 + ' s')), stallMs);
        fs.writeSync(out, chunk);
        received += chunk.length;
        if (received - reported >= 256 * 1024) { reported = received; send({ total, received }); }
      }
    } finally {
      fs.closeSync(out);
    }
    fs.renameSync(partial, dest);
    send({ total, received, done: true });
  } catch (error) {
    try { fs.rmSync(partial, { force: true }); } catch {}
    const reason = controller.signal.aborted && controller.signal.reason ? controller.signal.reason : error;
    send({ failed: describe(reason) });
  } finally {
    clearTimeout(timer);
    port.close();
  }
})();
`;

function sizeOf(shape: number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Copies a Python buffer's bytes out of the wasm heap. */
function copyBytes(buffer: PyBuffer): Uint8Array {
  const view = buffer.getBuffer('u8');
  try {
    const data = view.data;
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  } finally {
    view.release();
  }
}

/** Indices as an Int32Array: from a Python buffer (array('i')), a list proxy, or a JS array. */
function toIndices(value: unknown): Int32Array {
  if (value != null && typeof (value as PyBuffer).getBuffer === 'function') {
    const view = (value as PyBuffer).getBuffer('i32');
    try {
      return Int32Array.from(view.data as unknown as ArrayLike<number>);
    } finally {
      view.release();
    }
  }
  return Int32Array.from(toNumbers(value));
}

/** Decodes an IDX file (gzip-compressed or not): big-endian header, then unsigned bytes in row-major order. */
export function decodeIdx(file: Uint8Array): Store {
  const bytes = isGzip(file) ? gunzipWhole(file) : asPlainBytes(file);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new TorchError('RuntimeError', 'not an IDX file: its first two bytes must be zero');
  }
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== IDX_UNSIGNED_BYTE) {
    throw new TorchError('RuntimeError', `IDX element type 0x${type.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) throw new TorchError('RuntimeError', 'truncated IDX header');
  const header = new DataView(bytes.buffer, bytes.byteOffset, headerLength);
  const shape = Array.from({ length: rank }, (_, i) => header.getUint32(4 + 4 * i, false));
  const count = sizeOf(shape);
  if (bytes.length - headerLength !== count) {
    throw new TorchError(
      'RuntimeError',
      `IDX file size mismatch: the header says [${shape.join(', ')}] (${count} bytes of data), the file has ${bytes.length - headerLength}`,
    );
  }
  return { values: bytes.subarray(headerLength), shape };
}

/**
 * Output arrays for gathers. The wasm backend copies a new tensor's values into its own heap as the tensor is made,
 * so there one scratch array serves every batch (a fresh 200 kB array per batch costs a major GC every few dozen
 * batches); the cpu and native backends keep the array itself, which must then be fresh.
 */
class GatherBuffers {
  private floats = new Float32Array(0);
  private ints = new Int32Array(0);

  get(kind: 'float32' | 'int32', length: number): Float32Array | Int32Array {
    if (tf.getBackend() !== 'wasm') return kind === 'float32' ? new Float32Array(length) : new Int32Array(length);
    if (kind === 'float32') {
      if (this.floats.length < length) this.floats = new Float32Array(length);
      return this.floats.subarray(0, length);
    }
    if (this.ints.length < length) this.ints = new Int32Array(length);
    return this.ints.subarray(0, length);
  }
}

/** The rows `picked` of a store (negative indices count from the end) into `out`, through a lookup table into
 * float32 when there is one, else copied as int32. */
function copyRows(s: Store, picked: Int32Array, table: Float32Array | undefined, out: Float32Array | Int32Array): void {
  const rows = s.shape[0] ?? 1;
  const rowSize = sizeOf(s.shape.slice(1));
  for (let k = 0; k < picked.length; k++) {
    let i = picked[k];
    if (i < 0) i += rows;
    if (i < 0 || i >= rows) {
      throw new TorchError('IndexError', `index ${picked[k]} is out of bounds for dimension 0 with size ${rows}`);
    }
    const start = i * rowSize;
    if (table) {
      const bytes = s.values as Uint8Array;
      let o = k * rowSize;
      for (let j = start; j < start + rowSize; j++) out[o++] = table[bytes[j]];
    } else {
      out.set(s.values.subarray(start, start + rowSize), k * rowSize);
    }
  }
}

/** Where the worker lets the dataset ops read files themselves. */
export interface HostFiles {
  /** Whether the host file at `path` is the one Python sees there (the worker mounts host folders at their own paths),
   * so it can be read here without a copy through Python's heap. */
  isMounted(path: string): boolean;
  /** Where inflated copies of gzip-compressed IDX files are kept between runs (see inflatedFiles.ts). */
  inflatedFolder?: string;
}

/** Builds the object exposed to Python. Stores and downloads are referred to by integer ids. */
export function createDatasetOps(engine: TensorEngine, hostFiles: HostFiles = { isMounted: () => false }) {
  const stores = new Map<number, Store>();
  const tables = new Map<number, Float32Array>();
  const downloads = new Map<number, Download>();
  const buffers = new GatherBuffers();
  let nextId = 1;

  const lookupFor = (s: Store, tableId: number): Float32Array | undefined => {
    if (!tableId) return undefined;
    const table = tables.get(tableId);
    if (!table) throw new TorchError('RuntimeError', `internal: lookup table ${tableId} was already freed`);
    if (!(s.values instanceof Uint8Array)) throw new TorchError('RuntimeError', 'internal: lookup tables apply only to byte stores');
    return table;
  };
  const store = (id: number): Store => {
    const found = stores.get(id);
    if (!found) throw new TorchError('RuntimeError', `internal: dataset store ${id} was already freed`);
    return found;
  };
  const keep = (s: Store): number => {
    const id = nextId++;
    stores.set(id, s);
    return id;
  };

  return {
    /** Decodes IDX bytes (a Python bytes object); returns the store id. */
    decode_idx: (buffer: PyBuffer) => keep(decodeIdx(copyBytes(buffer))),
    /**
     * Decodes the IDX file at `path` read on the host: 26 MB of Fashion-MNIST no longer go through Python's read and
     * two copies (0.3 s of a cold start), and a gzip file is inflated once (its copy kept). Undefined (None) when the
     * path is not in a mounted folder or the file is not `size` bytes (it changed since Python looked): Python reads
     * it itself then.
     */
    decode_idx_file: (path: string, size: number): number | undefined => {
      if (!hostFiles.isMounted(path)) return undefined;
      let kept: Store | undefined;
      const bytes = readInflated(path, size, hostFiles.inflatedFolder, (copy) => (kept = decodeIdx(copy)));
      if (bytes === null) return undefined;
      return keep(kept ?? decodeIdx(bytes));
    },
    /** A store holding a copy of an integer tensor's values (what `dataset.data = tensor` assigns). */
    store_from_tensor: (handle: number) => {
      const t = engine.tensor(handle);
      if (t.dtype !== 'int32') throw new TorchError('TypeError', `expected an integer tensor, got ${t.dtype}`);
      const values = t.dataSync() as Int32Array;
      const fitsBytes = values.every((v) => v >= 0 && v <= 255);
      return keep({ values: fitsBytes ? Uint8Array.from(values) : Int32Array.from(values), shape: t.shape.slice() });
    },
    shape: (id: number) => store(id).shape.slice(),
    /** Whether the store holds bytes, so a lookup table can map its values. */
    is_bytes: (id: number) => store(id).values instanceof Uint8Array,
    /** Registers a 256-entry float32 lookup table (byte value → transformed value); returns its id. */
    lookup_table: (buffer: PyBuffer) => {
      const view = buffer.getBuffer('f32');
      try {
        const table = Float32Array.from(view.data as unknown as ArrayLike<number>);
        if (table.length !== 256) throw new TorchError('ValueError', `a lookup table has 256 entries, got ${table.length}`);
        const id = nextId++;
        tables.set(id, table);
        return id;
      } finally {
        view.release();
      }
    },
    free: (id: number) => {
      stores.delete(id);
      tables.delete(id);
    },
    /** The whole store as one tensor of an integer torch dtype (`uint8` for images, `int64` for labels). */
    to_tensor: (id: number, dtype: TorchDtype) => {
      const s = store(id);
      const values = s.values instanceof Int32Array ? s.values.slice() : Int32Array.from(s.values);
      return engine.adopt(tf.tensor(values, s.shape, 'int32'), false, null, dtype);
    },
    /** The integer at a flat position (a label). */
    value_at: (id: number, index: number) => {
      const s = store(id);
      const n = s.shape[0] ?? 1;
      const i = index < 0 ? index + n : index;
      if (i < 0 || i >= n) throw new TorchError('IndexError', `index ${index} is out of bounds for dimension 0 with size ${n}`);
      return s.values[i];
    },
    /**
     * Rows `indices` of the store (along its first axis) as one new tensor of shape `[...outerShape, ...rowShape]`,
     * where outerShape replaces the leading axis (e.g. [64, 1] for a batch of one-channel images, [1] or [] for one
     * sample). With a lookup table the values go through it into a float tensor; without, they are copied as
     * integers. `dtype` is the torch dtype of the result.
     */
    gather: (id: number, indices: unknown, tableId: number, outerShape: unknown, dtype: TorchDtype) => {
      const s = store(id);
      const picked = toIndices(indices);
      const table = lookupFor(s, tableId);
      const shape = [...toNumbers(outerShape), ...s.shape.slice(1)];
      const length = picked.length * sizeOf(s.shape.slice(1));
      if (sizeOf(shape) !== length) {
        throw new TorchError('RuntimeError', `internal: gather shape [${shape.join(', ')}] does not fit ${picked.length} rows`);
      }
      const kind = table ? 'float32' : 'int32';
      const out = buffers.get(kind, length);
      copyRows(s, picked, table, out);
      return engine.adopt(tf.tensor(out, shape, kind), false, null, dtype);
    },
    /** Like `gather`, but one tensor per index (each of shape `[...rowOuterShape, ...rowShape]`): samples of a batch
     * that the rest of a transform handles one by one. Returns the handles. */
    gather_rows: (id: number, indices: unknown, tableId: number, rowOuterShape: unknown, dtype: TorchDtype) => {
      const s = store(id);
      const picked = toIndices(indices);
      const table = lookupFor(s, tableId);
      const shape = [...toNumbers(rowOuterShape), ...s.shape.slice(1)];
      const rowSize = sizeOf(s.shape.slice(1));
      const kind = table ? 'float32' : 'int32';
      const out = buffers.get(kind, picked.length * rowSize);
      copyRows(s, picked, table, out);
      return Array.from(picked, (_, k) =>
        engine.adopt(tf.tensor(out.slice(k * rowSize, (k + 1) * rowSize), shape, kind), false, null, dtype),
      );
    },

    // ---- downloads ------------------------------------------------------------------------------------------------
    /**
     * Starts fetching `url` into the host file `dest` on a helper thread (written to `dest.part`, renamed when
     * complete). Fails after `connectMs` without a response or `stallMs` without data. Returns the download id.
     */
    download_start: (url: string, dest: string, connectMs: number, stallMs: number) => {
      const channel = new MessageChannel();
      const wake = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(DOWNLOAD_WORKER, {
        eval: true,
        workerData: { url, dest, port: channel.port2, wake, connectMs, stallMs },
        transferList: [channel.port2],
        stdout: true,
        stderr: true,
      });
      worker.unref();
      const id = nextId++;
      downloads.set(id, { worker, port: channel.port1, wake, status: { state: 'running', received: 0, total: 0, message: '' } });
      return id;
    },
    /** Waits up to `waitMs` for news from a download; returns its state as JSON {state, received, total, message}. */
    download_poll: (id: number, waitMs: number) => {
      const download = downloads.get(id);
      if (!download) throw new TorchError('RuntimeError', `internal: download ${id} is unknown`);
      const seen = Atomics.load(download.wake, 0);
      let message = receiveMessageOnPort(download.port);
      if (!message && download.status.state === 'running') {
        Atomics.wait(download.wake, 0, seen, waitMs);
        message = receiveMessageOnPort(download.port);
      }
      while (message) {
        const news = message.message as { total?: number; received?: number; done?: boolean; failed?: string };
        if (news.failed !== undefined) download.status = { ...download.status, state: 'failed', message: news.failed };
        else {
          download.status = {
            ...download.status,
            state: news.done ? 'done' : 'running',
            total: news.total ?? download.status.total,
            received: news.received ?? download.status.received,
          };
        }
        message = receiveMessageOnPort(download.port);
      }
      const status = download.status;
      if (status.state !== 'running') {
        downloads.delete(id);
        download.port.close();
      }
      return JSON.stringify(status);
    },
    /** Stops a download (the script was interrupted); its partial file is left as `dest.part`. */
    download_cancel: (id: number) => {
      const download = downloads.get(id);
      if (!download) return;
      downloads.delete(id);
      download.port.close();
      void download.worker.terminate();
    },
  };
}

export type DatasetOps = ReturnType<typeof createDatasetOps>;
