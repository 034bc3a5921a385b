"""Forward-mode AD through ``optimizer.step()`` (PyTorch 2.14's behaviour, on arrays).

In PyTorch an optimizer step is a sequence of in-place Tensor ops, so a parameter that
is a dual tensor (``forward_ad.make_dual``) leaves the step with the tangent those ops
give: ``param.mul_(1 - lr * wd)`` scales it, ``param.add_(update)`` with an update that
carries no tangent keeps it. ember's steps run on the arrays, so this module reproduces
the tangents: before the step ``plan`` records, for each parameter with a gradient whose
parameter or gradient carries a tangent, the rule of its optimizer; after the step
``apply`` updates the tangents in place in PyTorch's order of operations. Rules:

* a dual parameter, plain gradient, in an update where the parameter feeds nothing but
  itself: unchanged, or scaled by ``1 - lr * weight_decay`` where the decay is decoupled
  (AdamW, ``decoupled_weight_decay=True``, Muon, Adafactor) or where plain SGD folds
  ``weight_decay * param`` into the gradient (``t - lr * (wd * t)``);
* plain SGD without momentum with a dual gradient: ``t - lr * t_grad`` (``+`` when
  maximizing), as ``param.add_(grad, alpha=-lr)`` gives.

Where PyTorch's tangent would flow into optimizer state (coupled weight decay into Adam's
moments, SGD momentum with decay, ASGD's average, a dual gradient into any adaptive
optimizer, LBFGS) ember raises NotImplementedError naming the optimizer: those tangents
depend on each algorithm's exact op sequence, which ember's array updates do not record.
"""
from .._tensor import Tensor

__all__ = ["plan", "apply"]


def _tangent(t, mode):
    entry = t.__dict__.get("_fw_tangent")
    return entry[1] if entry is not None and entry[0] is mode else None


def _decoupled(group):
    return group.get("decoupled_weight_decay", False)


def _rule(name, group, dual_param, dual_grad):
    """(decay, grad_scale, coupled): new tangent = t*decay (or t - lr*(wd*t) when
    coupled) + grad_scale * t_grad; None where ember cannot follow PyTorch."""
    lr = group.get("lr")
    lr = lr.item() if isinstance(lr, Tensor) else lr
    wd = group.get("weight_decay", 0)
    if name == "SGD":
        if group.get("momentum", 0) != 0:
            return (1.0, 0.0, False) if wd == 0 and not dual_grad else None
        sign = 1.0 if group.get("maximize", False) else -1.0
        return (1.0, sign * lr, wd != 0)
    if dual_grad:
        return None
    if name in ("Adam", "AdamW", "NAdam", "RAdam"):
        if wd == 0:
            return (1.0, 0.0, False)
        return (1.0 - lr * wd, 0.0, False) if name == "AdamW" or _decoupled(group) else None
    if name in ("Muon", "Adafactor"):
        return (1.0 - lr * wd, 0.0, False)
    if name in ("Adagrad", "RMSprop", "Adadelta", "Adamax", "Rprop", "SparseAdam"):
        return (1.0, 0.0, False) if wd == 0 else None
    return None


def _algorithm(opt):
    from . import optimizer
    for cls in type(opt).__mro__:
        if cls.__module__.startswith("ember.optim.") and cls is not optimizer.Optimizer:
            return cls.__name__
    return type(opt).__name__


def plan(opt, mode):
    """The tangent updates the coming step needs, checked before anything moves."""
    todo = []
    name = None
    for group in opt.param_groups:
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            tp, tg = _tangent(p, mode), _tangent(g, mode)
            state = opt.state.get(p) if p in opt.state else None
            dual_state = bool(state) and any(isinstance(v, Tensor) and _tangent(v, mode)
                                             is not None for v in state.values())
            if tp is None and tg is None and not dual_state:
                continue
            name = name or _algorithm(opt)
            rule = None if dual_state else _rule(name, group, tp is not None, tg is not None)
            if rule is None:
                what = ("state" if dual_state else "gradient" if tg is not None
                        else "parameter")
                raise NotImplementedError(
                    f"forward-mode AD through {name}.step() with a dual {what} and these "
                    "options is not supported by ember: the tangent would flow into the "
                    "optimizer's state (supported: dual parameters whose update does not "
                    "feed its state, and dual gradients of SGD without momentum)")
            todo.append((p, tp, tg, rule, group.get("lr"), group.get("weight_decay", 0)))
    return todo


def apply(todo, mode):
    """Update the tangents recorded by ``plan`` once the step has run."""
    from .._tensor import _make
    for p, tp, tg, (decay, grad_scale, coupled), lr, wd in todo:
        lr = lr.item() if isinstance(lr, Tensor) else lr
        data = p._data
        if tp is None:
            new = tg._data.astype(data.dtype) * grad_scale
            entry = p.__dict__.get("_fw_tangent")
            p._fw_tangent = (mode, _make(new)) + (entry[2:] if entry else ())
            continue
        t = tp._data
        if coupled:                    # grad.add(p, alpha=wd), then p.add_(grad, alpha=-lr)
            gt = t * wd
            if tg is not None:
                gt += tg._data
            gt *= grad_scale
            t += gt
        else:
            if decay != 1.0:
                t *= decay
            if tg is not None and grad_scale != 0.0:
                t += tg._data * grad_scale
