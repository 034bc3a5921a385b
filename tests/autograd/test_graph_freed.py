"""Backward frees what it used (DESIGN.md, the engine; issue 18's memory target): tensors
saved for backward are dropped once their node ran (unless ``retain_graph``), and once the
loss is dropped no node of the graph stays alive. Checked with weakrefs and the cyclic GC
off, so plain reference counting must do it (no reference cycles in the graph)."""
import gc
import weakref

import pytest

import ember


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def _graph():
    a = ember.randn(4, 4, requires_grad=True)
    h = (a * 2).exp()             # saved by exp's backward (its output) and by the mul below
    loss = (h * a).sum()
    return a, weakref.ref(h), loss


def test_saved_tensors_are_freed_by_backward(no_gc):
    a, w_h, loss = _graph()
    assert w_h() is not None      # held only by the graph's saved tensors
    loss.backward()
    assert w_h() is None          # freed although ``loss`` (and its grad_fn) is still alive
    assert a.grad is not None


def test_retain_graph_keeps_saved_tensors(no_gc):
    a, w_h, loss = _graph()
    loss.backward(retain_graph=True)
    assert w_h() is not None
    loss.backward()
    assert w_h() is None


def test_no_graph_node_outlives_the_loss(no_gc):
    a, w_h, loss = _graph()
    nodes, stack = [], [loss.grad_fn]
    while stack:
        n = stack.pop()
        if n is not None:
            nodes.append(weakref.ref(n))
            stack.extend(fn for fn, _ in n.next_functions)
    loss.backward()
    del loss, stack, n
    assert [w for w in nodes if w() is not None and type(w()).__name__ != "AccumulateGrad"] == []
    assert w_h() is None
