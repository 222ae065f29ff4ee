"""Files as the user sees them: the worker mounts the workspace (its parents included), /tmp and the data sets at their
host paths; a file elsewhere is refused here, at the user's line, with one message that says why and what to do.

An audit hook (PEP 578) sees every open(), listdir, scandir, mkdir and chdir before it happens, whoever calls it (the
script, torchvision, PIL), so nothing is patched. It stays silent for paths inside the mounted folders and for
Pyodide's own; outside them it refuses what would otherwise fail with a bare ENOENT although the file is there on the
host, or would write into Pyodide's memory, where the file vanishes when the run ends.
"""
import errno
import os
import sys

__all__ = ["install", "outside_message"]

# Pyodide's own folders: its standard library, installed packages and shared libraries, devices, home.
_PYODIDE_FOLDERS = ("/lib", "/usr/lib", "/dev", "/proc", "/home/pyodide")
_EVENTS = frozenset(("open", "os.listdir", "os.scandir", "os.mkdir", "os.chdir"))
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

_state = {"visible": (), "shown": (), "host_exists": None}


def _inside(path, folders):
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def _writes(event, args):
    if event == "os.mkdir":
        return True
    if event != "open":
        return False
    mode, flags = args[1], args[2]
    if isinstance(mode, str) and mode:
        return any(letter in mode for letter in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def outside_message(written, absolute, writing):
    """Why a path outside the mounted folders can't be reached, and what to do; OSError appends the path as written."""
    where = "" if written == absolute else f"{absolute} is "
    folders = ", ".join(_state["shown"])
    reason = "No such file or directory" if not writing else "Permission denied"
    return (f"{reason} in the embedded runtime ({where}outside the folders it sees: {folders}; to "
            f"{'write' if writing else 'read'} elsewhere, run the script with your own Python and PyTorch: launch "
            f"attribute \"runtime\": \"python\", or trainloop run --runtime python)")


def _audit(event, args):
    if event not in _EVENTS or not args:
        return
    path = args[0]
    if path is None or isinstance(path, int):
        return
    try:
        written = os.fsdecode(os.fspath(path))
    except TypeError:
        return
    absolute = os.path.abspath(written)
    if absolute.startswith("//"):  # POSIX keeps a leading '//' (zipfile makes them): the same folder as '/'
        absolute = "/" + absolute.lstrip("/")
    if _inside(absolute, _state["visible"]) or _inside(absolute, _PYODIDE_FOLDERS):
        return
    writing = _writes(event, args)
    if writing:
        if event == "open" and os.path.exists(absolute):
            return  # a file Pyodide itself made (a device, a pipe)
        raise PermissionError(errno.EACCES, outside_message(written, absolute, True), written)
    if os.path.exists(absolute):
        return  # Pyodide's own tree (/, /usr, the mount points' parents): listing it is harmless
    host_exists = _state["host_exists"]
    if host_exists is not None and host_exists(absolute):
        raise FileNotFoundError(errno.ENOENT, outside_message(written, absolute, False), written)


def install(visible_folders, shown_folders, host_exists):
    """Starts refusing paths outside `visible_folders` (those named in messages: `shown_folders`, the user's, without
    the runtime's own); `host_exists(path)` says whether the host has a path."""
    _state["visible"] = tuple(str(folder) for folder in visible_folders)
    _state["shown"] = tuple(str(folder) for folder in shown_folders)
    _state["host_exists"] = host_exists
    if not getattr(sys, "_trainloop_files_hook", False):
        sys.addaudithook(_audit)
        sys._trainloop_files_hook = True
