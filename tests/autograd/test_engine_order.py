"""The order the backward engine runs in, against PyTorch's: nodes by decreasing sequence
number (the reverse of the order they were recorded), whatever order their edges were
found in; leaves' ``.grad`` after the last gradient reached them; every reached node runs,
frees its saved tensors and passes the visit on, even when no gradient arrived."""
import pytest

import ember
from helpers import torch, needs_torch


def _node_order(lib):
    """Names of the nodes in the order their backward ran (a post-hook on each)."""
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    early = x.exp()          # recorded first ...
    late = x * 2             # ... then this one: it runs first
    z = late + early         # the Add node's edges list `late` first
    deep = z.sin().cos()
    ran = []
    seen = set()
    stack = [deep.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or "AccumulateGrad" in node.name():
            continue
        seen.add(id(node))
        node.register_hook(lambda gi, go, n=node.name(): ran.append(n))
        stack.extend(fn for fn, _ in node.next_functions)
    deep.sum().backward()
    return ran


def test_nodes_run_in_reverse_recording_order():
    assert _node_order(ember) == ["CosBackward0", "SinBackward0",
                                  "AddBackward0", "MulBackward0", "ExpBackward0"]


@needs_torch
def test_node_order_matches_torch():
    assert _node_order(ember) == _node_order(torch)


def _leaf_order(lib):
    """The order post-accumulate-grad hooks fire over a two-layer network's parameters."""
    lib.manual_seed(0)
    net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    fired = []
    for name, p in net.named_parameters():
        p.register_post_accumulate_grad_hook(lambda t, n=name: fired.append(n))
    net(lib.ones(5, 3)).sum().backward()
    return fired


def test_leaves_accumulate_after_their_last_gradient():
    # the last layer's parameters are done first, the first layer's last
    assert _leaf_order(ember)[-2:] in (["0.weight", "0.bias"], ["0.bias", "0.weight"])
    assert set(_leaf_order(ember)[:2]) == {"2.weight", "2.bias"}


@needs_torch
def test_leaf_order_sets_match_torch():
    ours, theirs = _leaf_order(ember), _leaf_order(torch)
    assert set(ours[:2]) == set(theirs[:2]) and set(ours[2:]) == set(theirs[2:])


def test_a_leaf_reached_twice_sums_before_its_hook():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    ((x * 3) + x.exp() * 0 + x).sum().backward()
    assert seen == [[4.0, 4.0]]
    assert x.grad.tolist() == [4.0, 4.0]


class _NoGrad(ember.autograd.Function):
    """Passes values through and sends no gradient back."""

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        return None


def test_a_node_reached_without_gradient_still_frees_its_saved_tensors():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * x                       # MulBackward0 saves x twice
    _NoGrad.apply(y).sum().backward()
    assert x.grad is None           # no gradient reached it ...
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn.saved_tensors     # ... but the node was visited and freed


def test_interleaved_roots_ancestor_waits_for_its_descendant():
    # backward on a tensor and its own ancestor at once: the ancestor's node runs once,
    # after the descendant's gradient reached it
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    mid = x * 3
    top = (mid * mid).sum()
    ember.autograd.backward([top, mid], [ember.tensor(1.0), ember.ones(2)])
    # d top/dx = 2*mid*3 = 18x ; d(mid . ones)/dx = 3
    assert x.grad.tolist() == [21.0, 39.0]


def test_sequence_numbers_grow_with_recording_order():
    x = ember.ones(2, requires_grad=True)
    a = x * 2
    b = a.exp()
    assert b.grad_fn._sequence_nr() > a.grad_fn._sequence_nr()
    assert b.grad_fn.next_functions[0][0]._sequence_nr() == a.grad_fn._sequence_nr()
    assert a.grad_fn.next_functions[0][0]._sequence_nr() == 2 ** 64 - 1   # AccumulateGrad
