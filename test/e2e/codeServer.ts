// The real VS Code the end-to-end suite drives: code-server (installed by scripts/e2e-setup.sh under Node 24) with the
// packaged .vsix installed, on a free port of 127.0.0.1, in a fresh user-data dir; and everything needed to stop it and
// every process it started, also when a test fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');

export interface E2eTools {
  node: string;
  codeServer: string;
}

/** Runs scripts/e2e-setup.sh (fast when cached) and returns the Node 24 and code-server it installed, or why not. */
export function installTools(): { tools?: E2eTools; problem?: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$|NODE_OPTIONS$)/.test(key)));
  const result = spawnSync('bash', [join(REPO, 'scripts', 'e2e-setup.sh')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20 * 60_000 });
  const values = Object.fromEntries(
    (result.stdout ?? '')
      .split('\n')
      .map((line) => /^(TRAINLOOP_E2E_\w+)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
  if (result.status !== 0 || !values.TRAINLOOP_E2E_NODE || !values.TRAINLOOP_E2E_CODE_SERVER) {
    const tail = (result.stderr ?? '').trim().split('\n').slice(-15).join('\n');
    return { problem: `scripts/e2e-setup.sh failed (${result.error?.message ?? `exit ${result.status}`}):\n${tail}` };
  }
  return { tools: { node: values.TRAINLOOP_E2E_NODE, codeServer: values.TRAINLOOP_E2E_CODE_SERVER } };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The newest mtime of a file or of any file under a folder. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/**
 * The .vsix to install: `npm run package`'s output, packaged anew (build included) when it is missing or older than
 * the sources, dist/ or the manifest it was made from. A .vsix whose contents fail the package checks is still
 * returned (the suite reports those problems in a scenario of their own); a failed build or vsce run throws.
 */
export function packagedVsix(): { vsix: string; packageOutput: string } {
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
  if (process.env.TRAINLOOP_VSIX) return { vsix: process.env.TRAINLOOP_VSIX, packageOutput: '' };
  const vsix = join(REPO, `${manifest.name}-${manifest.version}.vsix`);
  const inputs = ['src', 'dist', 'media', 'syntaxes', 'l10n', 'examples', 'package.json', 'package.nls.json', '.vscodeignore'];
  const sourcesChanged = Math.max(...inputs.map((p) => newest(join(REPO, p))));
  if (existsSync(vsix) && statSync(vsix).mtimeMs >= sourcesChanged) return { vsix, packageOutput: '' };
  const result = spawnSync(process.execPath, [join(REPO, 'scripts', 'package.mjs'), '--out', vsix], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10 * 60_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0 && result.status !== 2) {
    throw new Error(`npm run package failed (${result.error?.message ?? `exit ${result.status}`}):\n${output.split('\n').slice(-20).join('\n')}`);
  }
  return { vsix, packageOutput: output.split('\n').filter((line) => line.startsWith('package:')).join('\n') };
}

/** A process started in a group of its own, so that it and all it starts can be ended together. */
export class ProcessGroup {
  private exited = false;
  readonly exit: Promise<number | null>;
  output = '';

  constructor(readonly child: ChildProcess, readonly label: string) {
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exit.then(() => (this.exited = true));
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Every process of the group (the leader's children keep its group unless they make their own). */
  members(): number[] {
    return processesWhere((p) => p.pgid === this.pid).map((p) => p.pid);
  }

  /** SIGTERM to the group, then SIGKILL to whatever is left after `graceMs`; resolves when no member is left. */
  async stop(graceMs = 3000): Promise<void> {
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-this.pid, name);
      } catch {
        /* the group is gone */
      }
    };
    if (this.members().length === 0 && this.exited) return;
    signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && this.members().length > 0) await sleep(100);
    if (this.members().length > 0) signal('SIGKILL');
    const end = Date.now() + 5000;
    while (Date.now() < end && this.members().length > 0) await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  command: string;
}

/** Processes from /proc (Linux), for finding what a group or a process started. */
export function processesWhere(predicate: (p: ProcessInfo) => boolean): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const info: ProcessInfo = {
        pid: Number(entry),
        ppid: Number(fields[1]),
        pgid: Number(fields[2]),
        command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim(),
      };
      if (predicate(info)) out.push(info);
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** The pid and all its descendants. */
export function descendantsOf(pid: number): ProcessInfo[] {
  const all = processesWhere(() => true);
  const found = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => found.has(p.pid));
}

/** Names of a process's threads (Node names a worker_threads Worker's thread "WorkerThread", or its `name`). */
export function threadNames(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map((task) => {
      try {
        return readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim();
      } catch {
        return '';
      }
    });
  } catch {
    return [];
  }
}

export interface CodeServerOptions {
  tools: E2eTools;
  vsix: string;
  /** A fresh folder for this run: user data, extensions, logs, the workspace's parent. */
  home: string;
  workspace: string;
}

/** code-server with the extension installed, serving the workbench on 127.0.0.1. */
export class CodeServer {
  readonly userDataDir: string;
  readonly extensionsDir: string;
  private process: ProcessGroup | undefined;
  port = 0;

  constructor(private readonly options: CodeServerOptions) {
    this.userDataDir = join(options.home, 'user-data');
    this.extensionsDir = join(options.home, 'extensions');
  }

  /** Environment without the parent's VS Code or Node variables, with config and data under the run's folder. */
  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (/^(VSCODE_|ELECTRON_|NODE_OPTIONS$|npm_)/.test(key)) continue;
      env[key] = value;
    }
    env.XDG_CONFIG_HOME = join(this.options.home, 'config');
    env.XDG_DATA_HOME = join(this.options.home, 'data');
    env.XDG_CACHE_HOME = join(this.options.home, 'cache');
    env.VSCODE_CLI_DISABLE_TELEMETRY = '1';
    return env;
  }

  private commonArgs(): string[] {
    return [this.options.tools.codeServer, '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir, '--config', join(this.options.home, 'config.yaml')];
  }

  /** `code-server --install-extension <vsix>` (the extension under test unless another .vsix is given); throws with its output when it fails. */
  installExtension(vsix = this.options.vsix): string {
    mkdirSync(this.extensionsDir, { recursive: true });
    writeFileSync(join(this.options.home, 'config.yaml'), 'auth: none\ncert: false\n');
    const result = spawnSync(this.options.tools.node, [...this.commonArgs(), '--install-extension', vsix, '--force'], {
      env: this.env(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const text = `${result.stdout}\n${result.stderr}`.trim();
    if (result.status !== 0) throw new Error(`code-server --install-extension failed (${result.error?.message ?? `exit ${result.status}`}):\n${text}`);
    return text;
  }

  /** Writes the user settings: no telemetry, no trust prompt, no welcome page, no update checks. */
  writeSettings(extra: Record<string, unknown> = {}): void {
    const dir = join(this.userDataDir, 'User');
    mkdirSync(dir, { recursive: true });
    const settings = {
      'telemetry.telemetryLevel': 'off',
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'extensions.ignoreRecommendations': true,
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'chat.commandCenter.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'editor.codeLens': true,
      'editor.hover.delay': 300,
      'editor.minimap.enabled': false,
      'files.autoSave': 'off',
      'window.restoreWindows': 'none',
      'debug.openDebug': 'openOnDebugBreak',
      'debug.internalConsoleOptions': 'neverOpen',
      'git.enabled': false,
      ...extra,
    };
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
  }

  /**
   * Writes the machine settings: where a remote window (code-server's) reads settings scoped `machine` or
   * `machine-overridable` (trainloop.python, like python.defaultInterpreterPath), which user settings can't set there.
   */
  writeMachineSettings(settings: Record<string, unknown>): void {
    const dir = join(this.userDataDir, 'Machine');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const child = spawn(
      this.options.tools.node,
      [
        ...this.commonArgs(),
        '--bind-addr',
        `127.0.0.1:${this.port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        // Not --disable-workspace-trust: that flag holds for the server's life, and one scenario opens an untrusted
        // folder. The user setting security.workspace.trust.enabled (false unless a scenario sets it) decides instead.
        '--disable-getting-started-override',
        '--ignore-last-opened',
        this.options.workspace,
      ],
      { env: this.env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = new ProcessGroup(child, 'code-server');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.process.output.includes('HTTP server listening')) break;
      const code = await Promise.race([this.process.exit, sleep(200).then(() => 'waiting' as const)]);
      if (code !== 'waiting') throw new Error(`code-server exited (${code}) before it listened:\n${this.process.output}`);
    }
    if (!this.process.output.includes('HTTP server listening')) throw new Error(`code-server did not listen within 60 s:\n${this.process.output}`);
  }

  get url(): string {
    return this.urlFor(this.options.workspace);
  }

  /** The workbench's address for a window on `folder`. */
  urlFor(folder: string): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(folder)}`;
  }

  /**
   * The display language of the windows opened from now on (undefined: English): code-server reads `locale` from the
   * user data's argv.json at each page load — what its "Configure Display Language" writes — before the
   * `vscode.nls.locale` cookie and Accept-Language.
   */
  setDisplayLanguage(locale: string | undefined): void {
    const dir = join(this.userDataDir, 'User');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'argv.json'), JSON.stringify(locale ? { locale } : {}, null, 2));
  }

  get output(): string {
    return this.process?.output ?? '';
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Every process code-server started, in its group or not (an extension host may start its own group). */
  processes(): ProcessInfo[] {
    if (!this.process) return [];
    const pid = this.process.pid;
    const byTree = descendantsOf(pid);
    const byGroup = processesWhere((p) => p.pgid === pid);
    const seen = new Map<number, ProcessInfo>();
    for (const p of [...byTree, ...byGroup]) seen.set(p.pid, p);
    return [...seen.values()];
  }

  /** The extension host processes (the Node processes that run extensions). */
  extensionHosts(): ProcessInfo[] {
    return this.processes().filter((p) => /--type=extensionHost/.test(p.command));
  }

  async stop(): Promise<void> {
    if (!this.process) return;
    const stragglers = () => this.processes();
    const extra = stragglers().filter((p) => p.pgid !== this.process!.pid);
    await this.process.stop();
    for (const p of extra) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  /** The extension host logs under the user-data dir (`logs/<session>/exthost*` / `remoteexthost.log`). */
  extensionHostLogs(): { path: string; text: string }[] {
    const logs: { path: string; text: string }[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/exthost.*\.log$/i.test(entry.name)) logs.push({ path, text: readFileSync(path, 'utf8') });
      }
    };
    walk(join(this.userDataDir, 'logs'));
    return logs;
  }
}
