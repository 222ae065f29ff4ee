// The worker's blocking call to the host for package files: Python imports synchronously, so the worker posts the
// request, sleeps in Atomics.wait and reads the reply with receiveMessageOnPort, while the host's thread downloads.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { PackageFetcher, PackageReply, PackageRequest } from './packageFetcher';

/** What the worker gets in its launch: its end of the channel and the flag it sleeps on. */
export interface PackageLaunch {
  port: MessagePort;
  signal: SharedArrayBuffer;
  /** Where package files are kept (mounted in Pyodide so Python reads them). */
  cacheDir: string;
  /** The mirror URL or folder as given (for messages), or the default index. */
  source: string;
}

/** The host's end: answers each request with the fetcher, then wakes the worker. */
export class PackageChannelHost {
  private readonly channel = new MessageChannel();
  private readonly signal = new SharedArrayBuffer(4);
  private readonly flag = new Int32Array(this.signal);

  constructor(
    private readonly fetcher: PackageFetcher,
    private readonly cacheDir: string,
  ) {
    this.channel.port1.on('message', (request: PackageRequest) => void this.answer(request));
    this.channel.port1.unref();
  }

  launch(): PackageLaunch {
    return { port: this.channel.port2, signal: this.signal, cacheDir: this.cacheDir, source: this.fetcher.source };
  }

  private async answer(request: PackageRequest): Promise<void> {
    const reply = await this.fetcher.handle(request);
    this.channel.port1.postMessage(reply);
    Atomics.store(this.flag, 0, 1);
    Atomics.notify(this.flag, 0);
  }

  close(): void {
    this.channel.port1.close();
  }
}

/** The worker's end: one request at a time, answered synchronously. */
export function requestPackageSync(launch: PackageLaunch, request: PackageRequest): PackageReply {
  const flag = new Int32Array(launch.signal);
  Atomics.store(flag, 0, 0);
  launch.port.postMessage(request);
  Atomics.wait(flag, 0, 0);
  const reply = receiveMessageOnPort(launch.port);
  if (!reply) return { ok: false, error: 'the host did not answer', source: launch.source };
  return reply.message as PackageReply;
}
