"""The profiler's sequence numbers pair each recorded forward op with its backward node's
events, as PyTorch's ``FunctionEvent.sequence_nr`` (the "Sequence number" of a trace)."""
import ember
from ember.profiler import profile
from helpers import torch, needs_torch


def _pairs(lib):
    """[(forward op, backward node)] joined on the sequence number, the numbers made
    relative to the first op's (a process's counter does not start at 0 here)."""
    x = lib.ones(3, requires_grad=True)
    with (lib.profiler.profile() if lib is not ember else profile()) as prof:
        y = (x * 2).exp().sum()
        y.backward()
    events = list(prof.events())
    fwd = {e.sequence_nr: e.name for e in events
           if e.sequence_nr >= 0 and e.name.startswith("aten::")}
    bwd = {e.sequence_nr: e.name.split(": ", 1)[1] for e in events
           if e.name.startswith("autograd::engine::evaluate_function: ") and e.sequence_nr >= 0}
    first = min(fwd)
    return sorted((s - first, fwd[s], bwd.get(s)) for s in fwd)


def test_forward_ops_and_backward_nodes_share_numbers():
    assert _pairs(ember) == [(0, "aten::mul", "MulBackward0"), (1, "aten::exp", "ExpBackward0"),
                             (2, "aten::sum", "SumBackward0")]


@needs_torch
def test_pairs_match_torch():
    assert _pairs(ember) == _pairs(torch)


def test_ops_that_record_no_node_have_no_number():
    x = ember.ones(3)
    with profile() as prof:
        (x * 2).sum()
    assert all(e.sequence_nr == -1 for e in prof.events())

