"""Third-party packages in the embedded runtime: Pyodide's own builds (numpy, pandas, matplotlib, ...), installed at the
script's first import of one of them, and one clear message for a package the runtime can't offer.

A finder at the end of sys.meta_path sees only imports nothing else could satisfy. For a name that Pyodide's lock file
(pyodide-lock.json) lists, it asks the host for the wheels of the package and its dependencies (the host downloads
them once from Pyodide's index, a mirror or a folder, checks their SHA-256 and keeps them in its cache folder, which
is mounted here), unpacks them where Pyodide installs packages and lets the import go on. Only the script's own
imports (and those of packages installed this way) fetch: a library's `try: import numpy` stays a quick ImportError.
"""
import importlib
import importlib.machinery
import json
import os
import sys
import sysconfig
import zipfile

import _trainloop_packages

__all__ = ["install", "PyodidePackageFinder"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_RUNTIME_PYTHON = os.path.dirname(os.path.dirname(_HERE))  # dist/python: the agent and the shim
_STDLIB = (sysconfig.get_paths()["stdlib"], "/lib/python3")
_SITE = sysconfig.get_paths()["purelib"]
# Shim modules that import a package on the script's behalf (Tensor.numpy() imports numpy).
_FETCHING_SHIM_FILES = ("_numpy_bridge.py",)

_RUN_ELSEWHERE = ('run the script with your own Python and PyTorch: launch attribute "runtime": "python", or '
                  'trainloop run --runtime python')
_SETTING = "the setting trainloop.packageIndex (trainloop run --package-index)"


def _request(**request):
    return json.loads(_trainloop_packages.request(json.dumps(request)))


class _Lock:
    """Pyodide's lock file: packages by name, and the package that provides each top-level import."""

    def __init__(self, text):
        data = json.loads(text)
        self.packages = data.get("packages", {})
        self.imports = {}
        for name, package in self.packages.items():
            for module in package.get("imports", ()):
                self.imports.setdefault(module, name)


def _script_import():
    """Whether the import under way comes from the script (or from a package installed here), not from the runtime's
    own modules or the standard library."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith("<frozen") or filename.startswith(_HERE):
            frame = frame.f_back
            continue
        if filename.startswith(_SITE):
            return True
        if filename.startswith(_RUNTIME_PYTHON):
            return os.path.basename(filename) in _FETCHING_SHIM_FILES
        return not filename.startswith(_STDLIB)
    return False


class PyodidePackageFinder:
    """Installs a package of Pyodide's index at its first import by the script (see the module's docstring)."""

    def __init__(self):
        self._lock = None
        self._installed = set()
        self._failed = {}

    def find_spec(self, fullname, path=None, target=None):
        if path is not None or "." in fullname or not _script_import():
            return None
        lock = self._load_lock(fullname)
        package = lock.imports.get(fullname)
        if package is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: the embedded runtime has Python's standard library, its own torch and "
                f"torchvision, and the packages of Pyodide's index (numpy, pandas, matplotlib, ...); to use "
                f"{fullname}, {_RUN_ELSEWHERE}", name=fullname)
        self._install(package, fullname, lock)
        importlib.invalidate_caches()
        return importlib.machinery.PathFinder.find_spec(fullname)

    def _load_lock(self, fullname):
        if self._lock is None:
            reply = _request(kind="lock")
            if not reply["ok"]:
                raise self._unavailable(fullname, fullname, reply)
            self._lock = _Lock(reply["text"])
        return self._lock

    def _install(self, package, fullname, lock):
        order = []
        self._dependencies(package, lock, order, set())
        for name in order:
            if name in self._installed:
                continue
            if name in self._failed:
                raise self._unavailable(fullname, package, self._failed[name])
            entry = lock.packages[name]
            reply = _request(kind="file", fileName=entry["file_name"], sha256=entry["sha256"], name=name)
            if not reply["ok"]:
                self._failed[name] = reply
                raise self._unavailable(fullname, package, reply)
            self._unpack(reply["path"], entry)
            self._installed.add(name)

    def _dependencies(self, name, lock, order, seen):
        if name in seen:
            return
        seen.add(name)
        for dependency in lock.packages.get(name, {}).get("depends", ()):
            self._dependencies(dependency, lock, order, seen)
        order.append(name)

    @staticmethod
    def _unpack(path, entry):
        where = entry.get("install_dir", "site")
        target = {"site": _SITE, "stdlib": sysconfig.get_paths()["stdlib"], "dynlib": "/usr/lib"}.get(where, _SITE)
        os.makedirs(target, exist_ok=True)
        with zipfile.ZipFile(path) as wheel:
            wheel.extractall(target)

    @staticmethod
    def _unavailable(fullname, package, reply):
        source = reply.get("source", _trainloop_packages.source)
        return ModuleNotFoundError(
            f"No module named {fullname!r}: the embedded runtime installs {package} from Pyodide's packages at first "
            f"import, and fetching it from {source} failed ({reply.get('error')}). Point {_SETTING} at a mirror URL "
            f"or a folder holding Pyodide's packages, or {_RUN_ELSEWHERE}", name=fullname)


def install():
    """Adds the finder once, after every other (the script's own modules and the shim come first)."""
    if not any(isinstance(finder, PyodidePackageFinder) for finder in sys.meta_path):
        sys.meta_path.append(PyodidePackageFinder())
