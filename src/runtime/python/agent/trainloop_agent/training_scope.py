"""The debugger's Training scope: batch, epoch, losses, optimizer settings, the monitors' reports and "This batch".

`TrainingScope` is a part of TrainingWatch (training_watch.py): it shows what the watch has followed, through the
inspector's rows, while the program is stopped.
"""
from .inspector import reachable_optimizers

__all__ = ["TrainingScope"]

_HISTORY_SHOWN = 1000


class TrainingScope:
    """The Training scope part of TrainingWatch: reads its `batch`, `epoch`, `tracker`, `last_loss`, `losses`,
    `diagnostics` and the gradients and update ratios kept for "This batch"."""

    def scope(self, inspector, frame):
        rows = [
            inspector._fact("batch", repr(self.batch) if self.batch > 0 else "not in a training loop", "int", None),
            inspector._fact("epoch", repr(self.epoch) if self.epoch >= 0 else "unknown", "int", None),
        ]
        if self.batch > 0:
            rows.append(self._this_batch(inspector, frame))
        loss = self.last_loss
        rows.append(inspector._fact("last loss", "None" if loss is None else repr(loss), "float", None))
        history = self.losses[-_HISTORY_SHOWN:]
        rows.append({
            "name": "loss history", "value": f"{len(self.losses)} losses" + (
                f", last {', '.join(f'{v:.4g}' for v in history[-5:])}" if history else ""),
            "type": "list", "named": 0, "indexed": len(history),
            "ref": inspector._ref(lambda f, s, c: inspector._sequence_children(history, None, f, s, c)) if history else 0,
        })
        for name, optimizer in reachable_optimizers(frame):
            for index, group in enumerate(optimizer.param_groups):
                for key, value in group.items():
                    if key != "params" and isinstance(value, (int, float, bool, tuple, str, type(None))):
                        label = f"{name}.{key}" if len(optimizer.param_groups) == 1 else f"{name}[{index}].{key}"
                        rows.append(inspector._fact(label, repr(value), type(value).__name__, None))
        if self.diagnostics:
            shown = [f"{d.get('code')} line {d.get('line')}: {d.get('message')}" for d in self.diagnostics[-50:]]
            rows.append({"name": "monitor reports", "value": f"{len(self.diagnostics)} reports", "type": "list",
                         "indexed": len(shown),
                         "ref": inspector._ref(lambda f, s, c: inspector._sequence_children(shown, None, f, s, c))})
        return rows

    def _this_batch(self, inspector, frame):
        """The "This batch" node: the batch's number and loss, its gradients as backward() left them, the update ratio
        of its step and the learning rate."""
        number = self.batch
        tracker = self.tracker
        loss = None
        if tracker is not None:
            try:
                loss = tracker.current_loss()
            except Exception:
                loss = None
        facts = [inspector._fact("batch", repr(number), "int", None),
                 inspector._fact("loss", "not computed yet" if loss is None else repr(loss), "float", None)]
        gradients_batch, summaries = self._batch_gradients
        if tracker is not None and not tracker.backwarded and tracker.open:
            facts.append(inspector._fact("gradients", "backward() has not run in this batch yet", "", None))
        elif gradients_batch != number or not summaries:
            facts.append(inspector._fact(
                "gradients", "not measured (while running, batches are sampled; Train one batch measures each)", "",
                None))
        else:
            facts.append(_node(inspector, "gradients", f"{len(summaries)} parameters, at backward()", summaries))
        ratios_batch, ratios = self._batch_ratios
        if ratios_batch == number and ratios:
            facts.append(_node(inspector, "update ratio", "‖Δw‖/‖w‖ of its step()",
                               {name: f"{ratio:.4g}" for name, ratio in ratios.items()}))
        else:
            facts.append(inspector._fact("update ratio", "not measured (no step() measured in this batch)", "", None))
        rates = []
        for name, optimizer in reachable_optimizers(frame):
            for index, group in enumerate(optimizer.param_groups):
                if isinstance(group.get("lr"), (int, float)):
                    label = f"{name}.lr" if len(optimizer.param_groups) == 1 else f"{name}[{index}].lr"
                    rates.append((label, group["lr"]))
        if len(rates) == 1:
            facts.append(inspector._fact("learning rate", repr(rates[0][1]), "float", None))
        elif rates:
            facts.append(_node(inspector, "learning rate", f"{len(rates)} parameter groups",
                               {label: repr(rate) for label, rate in rates}))
        value = f"batch {number}" + ("" if loss is None else f", loss {loss:.4g}")
        return {"name": "This batch", "value": value, "type": "", "named": len(facts),
                "ref": inspector._ref(lambda f, s, c: facts)}


def _node(inspector, name, value, texts):
    """A row with one child per entry of `texts` ({name: text})."""
    children = [inspector._fact(key, text, "", None) for key, text in texts.items()]
    return {"name": name, "value": value, "type": "", "named": len(children),
            "ref": inspector._ref(lambda f, s, c: children)}
