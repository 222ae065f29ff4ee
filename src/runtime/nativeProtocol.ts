// Lines between the native runtime's host and the agent in the user's Python (one JSON object per line, over loopback
// TCP): what Python sends; the host sends debug commands (DebugCommand) and the stop request.
import type { RuntimeEvent } from './protocol';
import type { DebugCommand, DebuggerMessage } from './debugChannel';

export type NativeMessage =
  /** The first line: the token the host passed in TRAINLOOP_TOKEN (any other first line closes the connection). */
  | { type: 'hello'; token: string; pid: number }
  /** Once connected and torch imported: the interpreter, torch and the device the script is likely to use. */
  | { type: 'ready'; executable: string; pythonVersion: string; torch?: string; device?: string; problem?: string; bootMs: number }
  | { type: 'event'; event: RuntimeEvent }
  | { type: 'debug'; message: DebuggerMessage };

/** The stop request: the agent ends the script with KeyboardInterrupt at once (paused or running). */
export const TERMINATE_COMMAND: DebugCommand = { id: 0, command: 'terminate', args: {} };

/** The run's settings, passed in TRAINLOOP_LAUNCH. */
export interface NativeLaunch {
  program: string;
  args: string[];
  cwd: string;
  maxBatches: number;
  disabledDetectors: string[];
  debug: boolean;
}
