"""Compiled code of the runtime's own modules (the torch shim, the agent), kept between runs in the cache folder.

Pyodide's CPython writes no .pyc (sys.dont_write_bytecode), and the runtime's folder may be read-only (an installed
extension), so every run compiled its ~140 modules again before the first batch (0.3–0.4 s of a cold start). A path
hook for the runtime's own folder gives its modules a loader that keeps each module's code object (marshal) under the
cache folder, valid while the source keeps its size and modification time, as a .pyc is. The script's modules and
installed packages load as before.
"""
import importlib.machinery
import importlib.util
import marshal
import os
import struct
import sys

__all__ = ["install"]

# The source's mtime (ns) and size, then the marshalled code object.
_STAMP = struct.Struct("<qq")


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


class _CachingSourceLoader(importlib.machinery.SourceFileLoader):
    """SourceFileLoader whose compiled code is read from, and written to, the cache folder."""

    cache_folder = ""

    def _cache_file(self, path):
        return os.path.join(self.cache_folder, path.lstrip("/") + ".code")

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        try:
            info = os.stat(path)
        except OSError:
            return super().get_code(fullname)
        stamp = _STAMP.pack(info.st_mtime_ns, info.st_size)
        cache_file = self._cache_file(path)
        try:
            with open(cache_file, "rb") as cached:
                data = cached.read()
            if data[:_STAMP.size] == stamp:
                return marshal.loads(data[_STAMP.size:])
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = self.source_to_code(self.get_data(path), path)
        self._keep(cache_file, stamp + marshal.dumps(code))
        return code

    @staticmethod
    def _keep(cache_file, data):
        """Writes the file whole or not at all: runs may start side by side (and every run's pid is Pyodide's 42)."""
        partial = f"{cache_file}.{os.urandom(6).hex()}.part"
        try:
            os.makedirs(os.path.dirname(cache_file), exist_ok=True)
            with open(partial, "wb") as out:
                out.write(data)
            os.replace(partial, cache_file)
        except OSError:
            try:
                os.unlink(partial)
            except OSError:
                pass


def install(runtime_folder, cache_folder):
    """Loads the modules under `runtime_folder` through the cache in `cache_folder` (one per Python bytecode version),
    including those whose folder Python has already looked into."""
    tag = f"{sys.implementation.cache_tag}-{importlib.util.MAGIC_NUMBER.hex()}"
    loader = type("CachingSourceLoader", (_CachingSourceLoader,), {"cache_folder": os.path.join(cache_folder, tag)})
    make_finder = importlib.machinery.FileFinder.path_hook((loader, importlib.machinery.SOURCE_SUFFIXES))

    def runtime_modules(path):
        if not _inside(path, runtime_folder):
            raise ImportError("not the runtime's own folder")
        return make_finder(path)

    sys.path_hooks.insert(0, runtime_modules)
    for path in list(sys.path_importer_cache):
        if _inside(path, runtime_folder):
            del sys.path_importer_cache[path]
