"""The embedded runtime's Python half: what the worker installs in Pyodide before the script runs (file access as on the
host, CPython's string hashing, third-party packages). Never imported under the python runtime."""
