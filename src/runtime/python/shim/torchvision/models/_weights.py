"""Pretrained weights as torchvision.models names them (ResNet18_Weights.DEFAULT, weights="DEFAULT", the deprecated
pretrained=True), and what a builder does with them in the embedded runtime: it builds the architecture, but it
downloads nothing, so asking for pretrained weights stops with one message at the user's line that says how to go on.
"""
import enum
import sys
import warnings

__all__ = ["Weights", "WeightsEnum", "resolve_weights"]

_RUN_NATIVE = ('run the script with your own Python and PyTorch: launch attribute "runtime": "python", or '
               'trainloop run --runtime python')


class Weights:
    """One set of pretrained weights: where torchvision downloads it from, and what it is."""

    def __init__(self, url, num_params, min_size=(1, 1)):
        self.url = url
        self.meta = {"num_params": num_params, "min_size": min_size}

    def __repr__(self):
        return f"Weights(url={self.url!r})"


class WeightsEnum(enum.Enum):
    """The base of ResNet18_Weights and the others: members such as IMAGENET1K_V1, and DEFAULT (an alias)."""

    @classmethod
    def verify(cls, obj):
        """The member `obj` names (a member, or its name as a string such as "DEFAULT"), or None; as torchvision."""
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            try:
                return cls[obj.replace(cls.__name__ + ".", "")]
            except KeyError:
                raise ValueError(f"Unknown value '{obj}' for {cls.__name__}.") from None
        raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                        f"{obj.__class__.__name__}.")

    @property
    def url(self):
        return self.value.url

    @property
    def meta(self):
        return self.value.meta

    def __repr__(self):
        return f"{type(self).__name__}.{self.name}"

    def get_state_dict(self, progress=True, check_hash=False):
        raise _offline_error(f"{type(self).__name__}.{self.name}.get_state_dict()", self)

    def transforms(self):
        from torch._tensor import unsupported

        raise unsupported(f"{type(self).__name__}.{self.name}.transforms()")


def _user_stacklevel():
    """The stacklevel of the first frame outside torchvision's models (the user's line), for warnings."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(__package__):
        level, frame = level + 1, frame.f_back
    return level


def _offline_error(asked, weights):
    return RuntimeError(
        f"{asked}: the Trainloop embedded runtime works offline and downloads no pretrained weights. Build the model "
        f"without them (weights=None) to train from scratch, or load a copy you have: model.load_state_dict("
        f"torch.load(path)), the file from {weights.url}; or, to download them, {_RUN_NATIVE}")


def resolve_weights(builder, enum_class, weights, args, kwargs):
    """Applies torchvision's rules for a builder's weights (`pretrained`, by keyword or as the one positional argument,
    is deprecated; a string names a member) and raises the offline message when weights are asked for. Takes
    `pretrained` and `progress` out of kwargs, which then hold the architecture's options."""
    kwargs.pop("progress", None)
    if len(args) > 1:
        raise TypeError(f"{builder}() takes from 0 to 1 positional arguments but {len(args)} were given")
    asked = None
    if args or "pretrained" in kwargs:
        positional = bool(args)
        pretrained = args[0] if positional else kwargs.pop("pretrained")
        if pretrained is True or (not positional and pretrained):
            weights, asked = enum_class.IMAGENET1K_V1, "pretrained=True"
        elif positional and (isinstance(pretrained, (WeightsEnum, str)) or pretrained is None):
            weights = pretrained
        else:
            level = _user_stacklevel()
            warnings.warn("Using 'weights' as positional parameter(s) is deprecated since 0.13 and may be removed in "
                          "the future. Please use keyword parameter(s) instead." if positional else
                          "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
                          "please use 'weights' instead.", UserWarning, stacklevel=level)
            warnings.warn("Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and "
                          "may be removed in the future. The current behavior is equivalent to passing "
                          "`weights=None`.", UserWarning, stacklevel=level)
            weights = None
    resolved = enum_class.verify(weights)
    if resolved is not None:
        raise _offline_error(f"torchvision.models.{builder}({asked or f'weights={resolved!r}'})", resolved)
