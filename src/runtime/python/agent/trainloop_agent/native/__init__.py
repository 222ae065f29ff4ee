"""The native runtime's side of the agent: the channel to the host and the launcher that runs the script in the
user's own Python with real PyTorch (see src/runtime/nativeRuntime.ts for the host)."""
