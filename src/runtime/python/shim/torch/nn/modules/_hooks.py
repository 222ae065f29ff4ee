"""RemovableHandle: what register_*_hook returns; remove() (or leaving a `with` block) detaches the hook."""
import itertools
import weakref

__all__ = ["RemovableHandle"]

_next_id = itertools.count()


class RemovableHandle:
    """A handle on one hook in a module's (or the global) hook table."""

    def __init__(self, hooks_dict, *, extra=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict) if _weakrefable(hooks_dict) else (lambda: hooks_dict)
        self.id = next(_next_id)
        self._extra = extra

    def remove(self):
        hooks = self.hooks_dict_ref()
        if hooks is not None and self.id in hooks:
            del hooks[self.id]
        if self._extra is not None:
            self._extra.discard(self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _weakrefable(value):
    try:
        weakref.ref(value)
        return True
    except TypeError:
        return False
