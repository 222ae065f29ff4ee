"""The process's CPU time in seconds, for the bench scripts, under real PyTorch and in Trainloop's embedded runtime."""
import time

try:  # Trainloop's embedded runtime: the worker's process CPU time (Pyodide's process_time is the wall clock)
    import js

    def cpu_seconds():
        used = js.process.cpuUsage()
        return (used.user + used.system) / 1e6
except ImportError:
    cpu_seconds = time.process_time
