// Matches the replies of a runtime's debugger to the commands sent to it; both runtimes' channels use it.
import type { DebuggerMessage } from './debugChannel';

/** Commands after which the debugger runs the script again (while it runs, it hears commands only when poked). */
export const RESUMING_COMMANDS: ReadonlySet<string> = new Set(['start', 'continue', 'next', 'stepIn', 'stepOut', 'stepBatch']);

/** A command the debugger could not carry out: its English `message`, and `text`, the same in parts when it sent them. */
export class DebuggerReplyError extends Error {
  constructor(
    message: string,
    readonly text: unknown,
  ) {
    super(message);
  }
}

export class DebugReplies {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (body: unknown) => void; reject: (error: Error) => void }>();
  private closed = false;

  /** A new command's id and the promise of its reply (rejected at once when the program has ended). */
  expect<T>(): { id: number; reply: Promise<T> } {
    const id = this.nextId++;
    if (this.closed) return { id, reply: Promise.reject(new Error('the program has ended')) };
    const reply = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (body: unknown) => void, reject }));
    return { id, reply };
  }

  get ended(): boolean {
    return this.closed;
  }

  /** Settles the command a reply answers; returns any other message (for the host to publish). */
  receive(message: DebuggerMessage): DebuggerMessage | null {
    if (message.kind !== 'reply') return message;
    const reply = message as { id: number; ok: boolean; body?: unknown; error?: string; text?: unknown };
    const waiter = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (reply.ok) waiter?.resolve(reply.body);
    else waiter?.reject(new DebuggerReplyError(reply.error ?? 'failed', reply.text));
    return null;
  }

  /** Fails every unanswered command: the program has ended. */
  close(): void {
    this.closed = true;
    for (const waiter of this.pending.values()) waiter.reject(new Error('the program has ended'));
    this.pending.clear();
  }
}
