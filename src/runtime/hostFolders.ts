// Which host folders the embedded runtime mounts, at the same paths inside Pyodide: the workspace and its parents (so
// `../data` works as it does on the host), the data sets' and temporary folders, and the runtime's own Python files.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, relative, sep } from 'node:path';

export interface HostFolderInputs {
  /** The script's working folder. */
  cwd: string;
  /** The script's absolute path. */
  program: string;
  /** Folders the runtime itself reads (its Python packages, its package cache): mounted as they are. */
  runtimeFolders: string[];
  /** The user's home folder (default: os.homedir()). */
  home?: string;
}

/** Folders every run sees: Debian's data sets and the temporary folder. */
const SHARED_FOLDERS = ['/usr/share/datasets', '/tmp'];

/** Pyodide's own folders (its standard library, devices, home): a host folder is never mounted over them. */
const PYODIDE_FOLDERS = ['/lib', '/usr/lib', '/dev', '/proc', '/sys', '/home/pyodide'];

function isInside(folder: string, parent: string): boolean {
  const path = relative(parent, folder);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

/**
 * The project folder around `folder`, parents included: the folder just below the home folder that holds it (the
 * home folder itself when `folder` sits directly in it, so that `../data` still resolves), or the top-level folder
 * that holds it outside home (`/work` for `/work/project`). Never `/` and never the whole `/home`.
 */
export function projectRoot(folder: string, home: string): string {
  if (folder === home) return home;
  const base = isInside(folder, home) ? home : '/';
  const parts = relative(base, folder).split(sep).filter(Boolean);
  if (parts.length === 0) return folder;
  if (base === home && parts.length === 1) return home;
  return `${base === '/' ? '' : base}/${parts[0]}`;
}

/**
 * The host folders to mount, outermost first, none inside another, each existing: the projects around the working
 * folder and the script, the shared folders and the runtime's own.
 */
export function hostFolders(inputs: HostFolderInputs): string[] {
  const home = inputs.home ?? homedir();
  const widen = (folder: string) => {
    const root = projectRoot(folder, home);
    return PYODIDE_FOLDERS.some((own) => isInside(own, root) || isInside(root, own)) ? folder : root;
  };
  const folders = [widen(inputs.cwd), widen(dirname(inputs.program)), ...SHARED_FOLDERS, ...inputs.runtimeFolders];
  const outermost: string[] = [];
  const mountable = [...new Set(folders)].filter((path) => path !== '/' && existsSync(path));
  for (const folder of mountable.sort((a, b) => a.length - b.length)) {
    if (!outermost.some((parent) => isInside(folder, parent))) outermost.push(folder);
  }
  return outermost;
}
