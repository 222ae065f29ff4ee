"""Imports every module of trainloop_agent (walking the package) under this interpreter's real PyTorch, with stand-in
`_trainloop_host` and `_trainloop_debug` modules, and prints one line per module: `ok NAME` or `FAIL NAME: error` (`skip NAME` for the
sys.monitoring tracer below Python 3.12, which the agent only loads on 3.12+). Exits 1 when any import fails. usage: python import_every_module.py AGENT_FOLDER"""
import importlib
import pkgutil
import sys
import traceback
import types


def stand_ins():
    host = types.ModuleType("_trainloop_host")
    host.emit = lambda text: None
    host.interrupt_again = lambda: None
    debug = types.ModuleType("_trainloop_debug")
    debug.send = lambda text: None
    debug.wait_command = lambda: '{"command": "terminate"}'
    debug.poll_command = lambda: None
    debug.stop_requested = lambda: False
    sys.modules["_trainloop_host"] = host
    sys.modules["_trainloop_debug"] = debug


def main(agent_folder):
    stand_ins()
    sys.path.insert(0, agent_folder)
    import torch

    print(f"python {sys.version.split()[0]}, torch {torch.__version__}")
    package = importlib.import_module("trainloop_agent")
    names = ["trainloop_agent"] + sorted(
        info.name for info in pkgutil.walk_packages(package.__path__, prefix="trainloop_agent."))
    failed = 0
    for name in names:
        try:
            importlib.import_module(name)
            print(f"ok {name}")
        except BaseException as error:  # noqa: B036 - a module may raise anything at import
            if sys.version_info < (3, 12) and isinstance(error, AttributeError) and "'monitoring'" in str(error):
                print(f"skip {name}: the sys.monitoring tracer, for Python 3.12+")  # chosen by tracer.py on 3.12+
                continue
            failed += 1
            where = traceback.extract_tb(error.__traceback__)[-1]
            print(f"FAIL {name}: {type(error).__name__}: {error} ({where.filename}:{where.lineno})")
    shim = [name for name in sys.modules if name in ("torch._engine", "_trainloop_engine", "_trainloop_data")]
    if shim:
        failed += 1
        print(f"FAIL the agent imported the embedded shim's private modules: {', '.join(shim)}")
    print(f"{len(names) - failed} imported, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
