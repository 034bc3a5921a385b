"""Full backward hooks of a Module: identity Functions around its inputs and outputs.

The output-side Function sees ``grad_output``; the input-side Function then sees
``grad_input`` and calls the hooks with both, as ``register_full_backward_hook`` does.
"""
from ..._tensor import Tensor
from ...autograd.function import ArrayFunction


class _HookIdentity(ArrayFunction):
    """Passes tensors through; its backward hands the gradients to ``callback``."""

    node_name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx, *arrays, callback=None):
        ctx.callback = callback
        return tuple(a.view() for a in arrays)

    @staticmethod
    def backward(ctx, *grads):
        return ctx.callback(grads)


class BackwardHookState:
    def __init__(self, module):
        self.module = module
        self.grad_output = None
        self.n_inputs = 0
        self.inputs_tracked = False

    def setup_inputs(self, args):
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        self.n_inputs = len([a for a in args if isinstance(a, Tensor)])
        if not idx:
            return args
        self.inputs_tracked = True
        self.input_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in self.input_positions]
        wrapped = _HookIdentity.apply(*tensors, callback=self.on_grad_input)
        if not isinstance(wrapped, tuple):
            wrapped = (wrapped,)
        args = list(args)
        for pos, w in zip(self.input_positions, wrapped):
            args[pos] = w
        return tuple(args)

    def setup_outputs(self, result):
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple) or not any(isinstance(o, Tensor) and o.requires_grad
                                                  for o in outs):
            return result
        positions = [i for i, o in enumerate(outs) if isinstance(o, Tensor)]
        wrapped = _HookIdentity.apply(*[outs[i] for i in positions], callback=self.on_grad_output)
        if not isinstance(wrapped, tuple):
            wrapped = (wrapped,)
        new = list(outs)
        for pos, w in zip(positions, wrapped):
            new[pos] = w
        return new[0] if single else tuple(new)

    def on_grad_output(self, grads):
        for hook in self.module._backward_pre_hooks.values():
            res = hook(self.module, grads)
            if res is not None:
                grads = tuple(res)
        self.grad_output = grads
        if not self.inputs_tracked:
            # No input needs a gradient: the hooks run now with grad_input all None.
            self._call_hooks((None,) * max(self.n_inputs, 1))
        return grads

    def on_grad_input(self, grads):
        res = self._call_hooks(grads)
        return res if res is not None else grads

    def _call_hooks(self, grad_input):
        out = None
        for hook in self.module._backward_hooks.values():
            res = hook(self.module, grad_input, self.grad_output)
            if res is not None:
                grad_input = out = tuple(res)
        return out
