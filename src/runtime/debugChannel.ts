// The pause/resume channel between a debugging host and its runtime worker: a SharedArrayBuffer to wake the worker
// (blocked in Atomics.wait inside the Python trace hook) and a MessageChannel it reads synchronously while paused.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { DebuggerMessage } from './agentMessages';
import { DebugReplies, RESUMING_COMMANDS } from './debugReplies';

/** What the worker's debugger says (declared with every message from Python in agentMessages.ts). */
export type { DebuggerMessage };

/** Slots of the shared Int32Array. */
const SEQUENCE = 0; // bumped by the host after each command it posts; the paused worker waits on it
const STOP = 1; // set by the host when the run must end: the worker's interrupt handler then raises KeyboardInterrupt
const SLOTS = 4;

/** Pyodide's interrupt buffer value that makes Python run its SIGINT handler (the debugger's "look at your mail"). */
const SIGINT = 2;

/** A command to the debugger inside the worker: `setBreakpoints`, `continue`, `stackTrace`, `evaluate`... */
export interface DebugCommand {
  id: number;
  command: string;
  args: Record<string, unknown>;
}

/** What the worker is started with when a debug session drives it (part of `RuntimeLaunch`). */
export interface DebugLaunch {
  shared: SharedArrayBuffer;
  port: MessagePort;
}

/** The host's end: sends commands and matches the worker's replies to them. */
export class DebugChannelHost {
  readonly shared = new SharedArrayBuffer(SLOTS * 4);
  private readonly control = new Int32Array(this.shared);
  private readonly channel = new MessageChannel();
  private readonly replies = new DebugReplies();
  /** Whether Python is executing the script (so it only hears commands when poked) or waiting for commands. */
  private running = false;

  constructor(private readonly interrupt: Int32Array) {}

  /** The worker's end, transferred in `workerData`. */
  launch(): DebugLaunch {
    return { shared: this.shared, port: this.channel.port2 };
  }

  /** Sends a command; resolves with the debugger's reply body, rejects with its error message. */
  request<T = unknown>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.replies.ended) return Promise.reject(new Error('the program has ended'));
    const { id, reply } = this.replies.expect<T>();
    const message: DebugCommand = { id, command, args };
    this.channel.port1.postMessage(message);
    Atomics.add(this.control, SEQUENCE, 1);
    Atomics.notify(this.control, SEQUENCE);
    if (this.running) Atomics.store(this.interrupt, 0, SIGINT);
    if (RESUMING_COMMANDS.has(command)) this.running = true;
    return reply;
  }

  /** Marks the run as ending: the worker raises KeyboardInterrupt at its next interrupt check or command wait. */
  requestStop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, SEQUENCE, 1);
    Atomics.notify(this.control, SEQUENCE);
    Atomics.store(this.interrupt, 0, SIGINT);
  }

  /** Feeds one message from the worker; returns it when it is not a reply (for the host to publish). */
  receive(message: DebuggerMessage): DebuggerMessage | null {
    if (message.kind === 'stopped') this.running = false;
    return this.replies.receive(message);
  }

  /** Fails every unanswered command: the worker has ended. */
  close(): void {
    this.replies.close();
    this.channel.port1.close();
  }
}

/**
 * The worker's end, registered as the Python module `_trainloop_debug`. Python calls these synchronously:
 * `wait_command` blocks the thread (and so the whole worker) until the host posts a command.
 */
export function createDebugModule(launch: DebugLaunch, send: (message: string) => void) {
  const control = new Int32Array(launch.shared);
  // `undefined`, not `null`: Pyodide turns undefined into None but null into a JsNull object.
  const take = (): string | undefined => {
    const received = receiveMessageOnPort(launch.port);
    return received ? JSON.stringify(received.message) : undefined;
  };
  return {
    send,
    /** The next command as JSON, waiting for it; a stop request comes back as `{"command": "terminate"}`. */
    wait_command(): string {
      for (;;) {
        const seen = Atomics.load(control, SEQUENCE);
        if (Atomics.load(control, STOP)) return JSON.stringify({ id: 0, command: 'terminate', args: {} });
        const command = take();
        if (command) return command;
        Atomics.wait(control, SEQUENCE, seen);
      }
    },
    /** The next command as JSON if one is waiting, else undefined (None in Python). */
    poll_command(): string | undefined {
      return take();
    },
    stop_requested(): boolean {
      return Atomics.load(control, STOP) !== 0;
    },
  };
}
