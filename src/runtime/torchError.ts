// The error the engine and its ops throw toward Python: the shim raises it as the Python exception it names.

/** A Python-facing error: `pyType` names the Python exception class the shim raises. */
export class TorchError extends Error {
  constructor(
    readonly pyType: 'RuntimeError' | 'ValueError' | 'IndexError' | 'TypeError' | 'NotImplementedError',
    message: string,
  ) {
    super(message);
  }
}
