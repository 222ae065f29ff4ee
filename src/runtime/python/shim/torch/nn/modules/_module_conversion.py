"""torch.nn.Module's conversions: _apply and apply over the module tree, and to / float / double / half / cpu / cuda
and the other device and dtype moves (the runtime has one device, so those return the module)."""
from ..._tensor import Tensor, unsupported


def install(Module, m):
    """Sets these methods on Module; `m(name)` is the decorator that sets one by name."""

    @m("_apply")
    def _apply_private_m(self, fn):
        """Replaces every parameter's and buffer's value by fn(value), keeping the same Parameter objects."""
        for module in self.children():
            module._apply(fn)
        for name, param in self._parameters.items():
            if param is None:
                continue
            converted = fn(param)
            if converted is not param:
                param.data = converted
        for name, buffer in self._buffers.items():
            if buffer is not None:
                self._buffers[name] = fn(buffer)
        return self

    @m("apply")
    def _apply_m(self, fn):
        """Calls fn on every submodule (children first), then on self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    @m("to")
    def _to_m(self, *args, **kwargs):
        from ..._dtype import dtype as dtype_class

        target = kwargs.get("dtype")
        for arg in args:
            if isinstance(arg, dtype_class):
                target = arg
            elif isinstance(arg, Tensor):
                target = arg.dtype
        if target is None:
            return self
        if not target.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={target}")
        return self._apply(lambda t: t.to(target) if t.is_floating_point() else t)

    @m("cpu")
    def _cpu_m(self):
        return self

    @m("cuda")
    def _cuda_m(self, device=None):
        return self

    @m("mps")
    def _mps_m(self, device=None):
        return self

    @m("xpu")
    def _xpu_m(self, device=None):
        return self

    @m("ipu")
    def _ipu_m(self, device=None):
        return self

    @m("float")
    def _float_m(self):
        from ... import float32

        return self.to(float32)

    @m("double")
    def _double_m(self):
        from ... import float64

        return self.to(float64)

    @m("half")
    def _half_m(self):
        from ... import float16

        return self.to(float16)

    @m("bfloat16")
    def _bfloat16_m(self):
        raise unsupported("Module.bfloat16()")

    @m("type")
    def _type_m(self, dst_type):
        return self.to(dst_type)

    @m("share_memory")
    def _share_memory_m(self):
        return self

    @m("compile")
    def _compile_m(self, *args, **kwargs):
        """torch.compile in place: the runtime runs the module as written."""

    @m("to_empty")
    def _to_empty_m(self, *, device=None, recurse=True):
        return self
