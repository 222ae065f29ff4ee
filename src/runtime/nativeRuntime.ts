// The native runtime: runs a script in the user's own Python with real PyTorch (`python -u native_launcher.py`), the
// agent talking to this host over a loopback TCP connection, so the script's stdout and stderr stay its own.
import { EventEmitter } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Runtime, RuntimeEvents, RunOptions } from './runtime';
import type { DebugCommand } from './debugChannel';
import { DebugReplies } from './debugReplies';
import { type RuntimeText, englishRuntimeText, runtimeText } from './runtimeTextTemplates';
import { TERMINATE_COMMAND, type NativeLaunch, type NativeMessage } from './nativeProtocol';

const STOP_GRACE_MS = 1000;
/** How long the child has to connect back before the run is given up (a slow first `import torch` included). */
const CONNECT_TIMEOUT_MS = 120_000;

export class NativeRuntime extends EventEmitter<RuntimeEvents> implements Runtime {
  private child: ChildProcess | null = null;
  private server: Server | null = null;
  private connection: Socket | null = null;
  private replies: DebugReplies | null = null;
  /** Lines written before the agent connected, sent once it has. */
  private unsent: string[] = [];
  private exited: Promise<number> | null = null;

  start(options: RunOptions): Promise<number> {
    if (this.child) throw new Error('this runtime is already running a script');
    const started = Date.now();
    const program = resolve(options.program);
    const distDir = options.distDir ?? __dirname;
    const python = options.python || 'python3';
    const token = randomBytes(24).toString('hex');
    const launch: NativeLaunch = {
      program,
      args: options.args ?? [],
      cwd: resolve(options.cwd ?? join(program, '..')),
      maxBatches: options.maxBatches ?? 0,
      disabledDetectors: options.disabledDetectors ?? [],
      debug: options.debug === true,
    };
    this.replies = options.debug ? new DebugReplies() : null;
    this.exited = new Promise<number>((resolveExit) => {
      let finished = false;
      const finish = (code: number) => {
        if (finished) return;
        finished = true;
        this.child = null;
        this.closeChannel();
        this.emit('exit', code);
        resolveExit(code);
      };
      const server = createServer((socket) => this.accept(socket, token, python, started));
      this.server = server;
      server.on('error', (error) => {
        this.say(runtimeText('run.cannotListen', { error: error.message }));
        finish(70);
      });
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        let child: ChildProcess;
        try {
          child = spawn(python, ['-u', join(distDir, 'python', 'agent', 'native_launcher.py')], {
            cwd: launch.cwd,
            env: {
              ...process.env,
              PYTHONUNBUFFERED: '1',
              TRAINLOOP_CHANNEL: `127.0.0.1:${port}`,
              TRAINLOOP_TOKEN: token,
              TRAINLOOP_LAUNCH: JSON.stringify(launch),
            },
            stdio: ['ignore', 'pipe', 'pipe'],
            // Its own process group: stop ends the script and everything it started (DataLoader workers too).
            detached: process.platform !== 'win32',
            windowsHide: true,
          });
        } catch (error) {
          this.say(runtimeText('run.cannotStart', { python, error: (error as Error).message }));
          finish(127);
          return;
        }
        this.child = child;
        child.stdout!.setEncoding('utf8').on('data', (text: string) => this.emit('output', 'stdout', text));
        child.stderr!.setEncoding('utf8').on('data', (text: string) => this.emit('output', 'stderr', text));
        child.on('error', (error: NodeJS.ErrnoException) => {
          const why = error.code === 'ENOENT' ? runtimeText('run.noSuchFile') : error.message;
          this.say(runtimeText('run.cannotStartInterpreter', { python, why }));
          finish(127);
        });
        // When the script's process ends, whatever it started and left behind (a DataLoader worker) ends too.
        child.on('exit', () => this.killGroup(child));
        // Ended by a signal: 128 + its number, as a shell reports it (Node names no real-time signal: 128 + 1 then).
        child.on('close', (code, signal) => finish(code ?? 128 + ((signal && osConstants.signals[signal]) || 1)));
        const connectTimer = setTimeout(() => {
          if (this.connection || !this.child) return;
          this.say(runtimeText('run.noConnection', { python, seconds: CONNECT_TIMEOUT_MS / 1000 }));
          this.kill();
        }, CONNECT_TIMEOUT_MS);
        connectTimer.unref();
      });
    });
    return this.exited;
  }

  /** A failure line of the runtime's own on stderr: English, with its parts for the adapter to translate. */
  private say(text: RuntimeText): void {
    this.emit('output', 'stderr', englishRuntimeText(text), text);
  }

  /** The agent's connection: its first line must carry the token; only one connection is taken. */
  private accept(socket: Socket, token: string, python: string, started: number): void {
    if (this.connection) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    let greeted = false;
    lines.on('line', (line) => {
      let message: NativeMessage;
      try {
        message = JSON.parse(line) as NativeMessage;
      } catch {
        if (!greeted) socket.destroy();
        return;
      }
      if (!greeted) {
        if (message.type !== 'hello' || message.token !== token) {
          socket.destroy();
          return;
        }
        greeted = true;
        this.connection = socket;
        this.server?.close();
        for (const unsent of this.unsent) socket.write(unsent);
        this.unsent = [];
        return;
      }
      this.onMessage(message, python, started);
    });
    socket.on('error', () => undefined);
  }

  private onMessage(message: NativeMessage, python: string, started: number): void {
    switch (message.type) {
      case 'ready': {
        const parts = [`Python ${message.pythonVersion}`];
        if (message.torch) parts.push(`torch ${message.torch}`);
        if (message.device) parts.push(message.device);
        this.emit('ready', {
          kind: 'python',
          label: parts.join(' · '),
          python: message.executable || python,
          pythonVersion: message.pythonVersion,
          torch: message.torch,
          device: message.device,
          bootMs: Date.now() - started,
        });
        break;
      }
      case 'event':
        this.emit('event', message.event);
        break;
      case 'debug': {
        const forward = this.replies ? this.replies.receive(message.message) : message.message;
        if (forward) this.emit('debug', forward);
        break;
      }
    }
  }

  debugRequest<T = unknown>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    if (!this.replies) return Promise.reject(new Error('this run was not started for debugging'));
    const { id, reply } = this.replies.expect<T>();
    if (!this.replies.ended) this.write({ id, command, args });
    return reply;
  }

  private write(command: DebugCommand): void {
    const line = `${JSON.stringify(command)}\n`;
    if (this.connection) this.connection.write(line);
    else this.unsent.push(line);
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** A stop request (the script ends with KeyboardInterrupt); a second later its whole process group is killed. */
  async stop(): Promise<number | null> {
    if (!this.child || !this.exited) return null;
    this.write(TERMINATE_COMMAND);
    const timer = setTimeout(() => this.kill(), STOP_GRACE_MS);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** Ends the script and every process it started, now. */
  private kill(): void {
    if (this.child) this.killGroup(this.child);
  }

  private killGroup(child: ChildProcess): void {
    if (child.pid === undefined) return;
    try {
      if (process.platform === 'win32') child.kill('SIGKILL');
      else process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }

  private closeChannel(): void {
    this.replies?.close();
    this.server?.close();
    this.server = null;
    this.connection?.destroy();
    this.connection = null;
  }
}
