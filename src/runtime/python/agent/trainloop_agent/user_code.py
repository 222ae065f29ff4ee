"""Which files are the user's own code, the only ones the debugger traces and stops in.

Everything is the user's except: the agent's own folder (dist/python, with the torch shim of the embedded runtime),
the standard library, and installed packages. Those folders are asked of this interpreter through `site` and
`sysconfig`, never taken from a fixed list: Debian keeps torch in /usr/lib/python3/dist-packages, a virtual
environment in its own site-packages, Pyodide its standard library in a zip. Code without a file (`<string>`,
`<frozen os>`, `<debug console>`) is not the user's either.
"""
import os
import site
import sysconfig

__all__ = ["AGENT_DIR", "LIBRARY_DIRS", "UserCodeFilter", "is_user_file"]

# dist/python (or src/runtime/python): the agent package's parent's parent holds the agent and the shim.
AGENT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _library_dirs():
    found = [os.path.dirname(os.__file__)]  # where the standard library really is, a zip included
    try:
        found.extend(site.getsitepackages())
    except AttributeError:
        pass  # the site.py of old virtualenvs has no getsitepackages
    try:
        found.append(site.getusersitepackages())  # None when user site-packages are off (Pyodide)
    except AttributeError:
        pass
    paths = sysconfig.get_paths()
    found.extend(paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib"))
    return found


def _folder_prefixes(folders):
    """Each folder as a prefix ending in a separator, as given and with symlinks resolved (a venv's lib64, Pyodide's
    `//lib`), compared case-insensitively where the file system is (normcase)."""
    prefixes = set()
    for folder in folders:
        if not folder or not isinstance(folder, str):
            continue
        for form in (os.path.abspath(folder), os.path.realpath(folder)):
            form = os.path.normcase(form).rstrip(os.sep)
            if form:  # never the file system root: that would make every file a library file
                prefixes.add(form + os.sep)
    return tuple(sorted(prefixes))


AGENT_PREFIXES = _folder_prefixes([AGENT_DIR])
LIBRARY_DIRS = _folder_prefixes(_library_dirs())
_NOT_USER_PREFIXES = AGENT_PREFIXES + LIBRARY_DIRS

_known = {}


def is_user_file(filename):
    """True for a file of the user's own code; answered once per file name."""
    known = _known.get(filename)
    if known is None:
        known = _classify(filename)
        _known[filename] = known
    return known


def _classify(filename):
    if not filename or filename.startswith("<"):
        return False
    path = os.path.normcase(os.path.abspath(filename))
    if path.startswith(_NOT_USER_PREFIXES):
        return False
    real = os.path.normcase(os.path.realpath(filename))
    return not real.startswith(_NOT_USER_PREFIXES)


class UserCodeFilter:
    """What every line tracer answers the debug session about files and code objects (the user's, or not)."""

    @staticmethod
    def is_user_file(filename):
        return is_user_file(filename)

    @staticmethod
    def is_user_code(code):
        return is_user_file(code.co_filename)
