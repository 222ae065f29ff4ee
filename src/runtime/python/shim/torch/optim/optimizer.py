"""torch.optim.Optimizer: parameter groups, per-parameter state, zero_grad, state_dict/load_state_dict."""
from collections import defaultdict
from copy import deepcopy
import functools
from itertools import chain

from .._engine import E, call
from .._tensor import Tensor

__all__ = ["Optimizer", "required", "clear_grad"]


class _RequiredParameter:
    """The default of a hyperparameter that every parameter group must set (SGD's lr in old versions)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def clear_grad(param, set_to_none=True):
    """Sets param.grad to None, or zeroes it in place (a .grad tensor the caller holds sees the zeros)."""
    grad = param.grad
    if grad is None:
        return
    if set_to_none:
        param.grad = None
    else:
        from .. import no_grad

        with no_grad():
            grad.zero_()


def _typename(value):
    return value.type() if isinstance(value, Tensor) else type(value).__name__


class Optimizer:
    """Base class of all optimizers: subclasses implement step() over self.param_groups, keeping self.state[p]."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_typename(params)}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        text = type(self).__name__ + " ("
        for index, group in enumerate(self.param_groups):
            text += f"\nParameter Group {index}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    def add_param_group(self, param_group):
        """Adds a group of parameters (a dict with 'params' and optional hyperparameters overriding the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(param)}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Clears the .grad of every optimized parameter (to None by default, as torch 2.x does): one engine call
        for all of them when set to None."""
        for group in self.param_groups:
            params = group["params"]
            if not set_to_none:
                for param in params:
                    clear_grad(param, False)
                continue
            for param in params:
                param._grad_cache = None
            call(E.clear_grads, [param._h for param in params])

    def step(self, closure=None):
        raise NotImplementedError

    def _gradients(self, group):
        """(parameter, gradient, state) for each parameter of the group that has a gradient; maximize flips its sign."""
        for param in group["params"]:
            grad = param.grad
            if grad is None:
                continue
            yield param, (-grad if group.get("maximize") else grad), self.state[param]

    def _run_closure(self, closure):
        if closure is None:
            return None
        from .. import enable_grad

        with enable_grad():
            return closure()

    def state_dict(self):
        """{'state': {index: state}, 'param_groups': [group settings with 'params' as indices]}."""
        index_of = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index_of[id(p)]: value for p, value in self.state.items() if id(p) in index_of}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restores state and hyperparameters saved by state_dict() into this optimizer's parameters."""
        state_dict = deepcopy(state_dict)
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(a["params"]) != len(b["params"]) for a, b in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's "
                             "group")
        param_of = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                            chain.from_iterable(g["params"] for g in self.param_groups)))
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in param_of:
                state[param_of[key]] = value
            else:
                state[key] = value
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})


def _use_no_grad(step):
    """Runs an optimizer's step with autograd off (updates are not part of any graph)."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        from .. import no_grad

        with no_grad():
            return step(self, *args, **kwargs)

    return wrapper
