// The `trainloop` command line: `run` a script (embedded runtime, or the user's Python with --runtime), `check` scripts statically.
import { runCommand } from './runCommand';
import { BACKEND_CHOICES, type BackendChoice } from '../runtime/backendChoice';
import { RUNTIME_KINDS, type RuntimeKind } from '../debug/debugContract';

const USAGE = `usage:
  trainloop run SCRIPT [--runtime embedded|python|auto] [--python PATH] [--cwd FOLDER] [--max-batches N]
                       [--events FILE] [--backend auto|wasm|cpu|tensorflow] [--threads N]
                       [--disable-detectors TL001,TL004|all] [--package-index URL|FOLDER] [-- SCRIPT_ARGS...]
  trainloop check SCRIPT...

  --runtime   embedded (default): Pyodide and TensorFlow.js, nothing to install; python: your Python and its
              PyTorch (3.10 or newer); auto: python when the interpreter has torch, else embedded
  --python    the interpreter of the python runtime (default: python3 on PATH); alone, it means --runtime python
  --cwd       the script's working folder (default: the script's own folder); the embedded runtime sees it and its
              parent folders at their paths on this machine
  --package-index  embedded: where numpy and Pyodide's other packages come from at first import: a mirror URL
              of Pyodide's index or a folder of its files (default: Pyodide's index); they are kept in
              $XDG_CACHE_HOME/trainloop/packages (~/.cache/trainloop/packages)
`;

class UsageError extends Error {}

function parseRun(argv: string[]) {
  let script: string | undefined;
  const args: string[] = [];
  let maxBatches = 0;
  let eventsFile: string | undefined;
  let backend: BackendChoice = 'auto';
  let disabledDetectors: string[] = [];
  let threads: number | undefined;
  // Embedded unless asked: the command line keeps doing what it did before the python runtime existed.
  let runtime: RuntimeKind = 'embedded';
  let python: string | undefined;
  let runtimeGiven = false;
  let cwd: string | undefined;
  let packageIndex: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    } else if (arg === '--max-batches') {
      maxBatches = Number(value());
      if (!Number.isInteger(maxBatches) || maxBatches < 0) throw new UsageError('--max-batches takes a whole number');
    } else if (arg === '--events') eventsFile = value();
    else if (arg === '--backend') {
      backend = value() as BackendChoice;
      if (!BACKEND_CHOICES.includes(backend)) throw new UsageError(`--backend takes one of ${BACKEND_CHOICES.join(', ')}`);
    } else if (arg === '--threads') {
      threads = Number(value());
      if (!Number.isInteger(threads) || threads < 1) throw new UsageError('--threads takes a whole number, 1 or more');
    } else if (arg === '--runtime') {
      const kind = value();
      if (!(RUNTIME_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--runtime takes one of ${RUNTIME_KINDS.join(', ')}`);
      runtime = kind as RuntimeKind;
      runtimeGiven = true;
    } else if (arg === '--python') {
      python = value();
      if (python.trim() === '') throw new UsageError('--python takes the path of a Python interpreter');
    } else if (arg === '--cwd') {
      cwd = value();
      if (cwd.trim() === '') throw new UsageError('--cwd takes a folder');
    } else if (arg === '--package-index') {
      packageIndex = value();
      if (packageIndex.trim() === '') throw new UsageError('--package-index takes a URL or a folder');
    } else if (arg === '--disable-detectors') disabledDetectors = value().split(',').filter(Boolean);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (script === undefined) script = arg;
    else args.push(arg);
  }
  if (script === undefined) throw new UsageError('run needs a SCRIPT');
  // A --python alone asks for that interpreter: it would have no effect on the embedded runtime.
  if (python !== undefined && !runtimeGiven) runtime = 'python';
  if (python !== undefined && runtime === 'embedded') throw new UsageError('--python has no effect with --runtime embedded');
  return { script, args, maxBatches, eventsFile, backend, threads, disabledDetectors, runtime, python, cwd, packageIndex };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run') return await runCommand(parseRun(rest));
    if (command === 'check') {
      if (rest.length === 0) throw new UsageError('check needs at least one SCRIPT');
      const { checkCommand } = await import('./checkCommand');
      return await checkCommand(rest, (line) => process.stdout.write(`${line}\n`));
    }
    if (command === '--help' || command === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    throw new UsageError(command ? `unknown command ${command}` : 'no command');
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`trainloop: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trainloop: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 70;
  },
);
