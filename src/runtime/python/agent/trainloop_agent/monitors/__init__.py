"""Training-bug detectors (TL001-TL011): monitors that watch backward(), optimizer steps and module calls."""
from .registry import install_monitors, installed_hooks, installed_monitors

__all__ = ["install_monitors", "installed_hooks", "installed_monitors"]
