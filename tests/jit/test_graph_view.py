"""SummaryWriter.add_graph on ember.jit's capture, read back by TensorBoard."""
import pytest

import ember
import ember.nn as nn


def test_add_graph_readable_by_tensorboard(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from ember.utils.tensorboard import SummaryWriter
    w = SummaryWriter(str(tmp_path))
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    w.add_graph(model, ember.randn(2, 1, 8, 8))
    w.close()
    ea = EventAccumulator(str(tmp_path))
    ea.Reload()
    nodes = {n.name: n for n in ea.Graph().node}
    assert nodes["input/input"].op == "IO Node"
    assert nodes["0/conv2d_4"].op == "ember::conv2d"
    assert list(nodes["0/conv2d_4"].input) == ["input/input", "0/weight", "0/bias"]
    assert list(nodes["output/output.1"].input) == ["3/Linear_9"]
