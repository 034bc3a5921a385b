"""SummaryWriter: every kind of summary read back with tensorboard's EventAccumulator."""
import os

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import ember  # noqa: E402
from ember.utils.tensorboard import SummaryWriter  # noqa: E402


def _accumulator(path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0,
                                                     "images": 0, "tensors": 0,
                                                     "audio": 0})
    acc.Reload()
    return acc


def test_scalars_steps_and_values(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(5):
            w.add_scalar("loss", ember.tensor(1.0 / (step + 1)), step)
            w.add_scalar("lr", 0.1 * step, global_step=step)
        w.add_scalar("np", np.float32(3.5), 7)
    acc = _accumulator(tmp_path)
    assert set(acc.Tags()["scalars"]) == {"loss", "lr", "np"}
    loss = acc.Scalars("loss")
    assert [e.step for e in loss] == [0, 1, 2, 3, 4]
    assert [e.value for e in loss] == pytest.approx([1.0, 0.5, 1 / 3, 0.25, 0.2])
    assert acc.Scalars("np")[0].value == 3.5 and acc.Scalars("np")[0].step == 7


def test_new_style_scalar_is_a_tensor_of_the_scalars_plugin(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("s", 2.5, 1, new_style=True, double_precision=True)
    acc = _accumulator(tmp_path)
    ev = acc.Tensors("s")[0]
    assert ev.tensor_proto.double_val == [2.5]
    assert acc.SummaryMetadata("s").plugin_data.plugin_name == "scalars"


def test_add_scalars_writes_one_run_per_tag(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalars("run", {"train": 1.0, "val": 2.0}, 3)
    runs = sorted(n for n in os.listdir(tmp_path) if os.path.isdir(tmp_path / n))
    assert runs == ["run_train", "run_val"]
    for name, value in (("run_train", 1.0), ("run_val", 2.0)):
        acc = _accumulator(tmp_path / name)
        assert acc.Scalars("run")[0].value == value and acc.Scalars("run")[0].step == 3


def test_histogram_buckets_sum_to_the_count(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.normal(size=1000).astype(np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("weights", ember.from_numpy(values), 0)
        w.add_histogram("auto", values, 1, bins="auto")
    acc = _accumulator(tmp_path)
    h = acc.Histograms("weights")[0].histogram_value
    assert h.num == 1000 and sum(h.bucket) == 1000
    assert h.min == pytest.approx(values.min()) and h.max == pytest.approx(values.max())
    assert h.sum == pytest.approx(values.astype(float).sum(), rel=1e-6)
    assert sum(acc.Histograms("auto")[0].histogram_value.bucket) == 1000


def test_histogram_matches_torch_protobuf():
    torch_summary = pytest.importorskip("torch.utils.tensorboard.summary")
    from ember.utils.tensorboard import summary as ours
    values = np.random.default_rng(1).normal(size=300)
    bins = ours.default_bins()
    a = ours.histogram("h", values, bins)
    b = torch_summary.histogram("h", values, bins)
    assert a.SerializeToString() == b.SerializeToString()


@pytest.mark.parametrize("fmt,shape", [("CHW", (3, 8, 6)), ("HWC", (8, 6, 3)),
                                       ("HW", (8, 6)), ("CHW", (1, 8, 6))])
def test_images_decode_to_the_logged_pixels(tmp_path, fmt, shape):
    from PIL import Image
    import io
    rng = np.random.default_rng(2)
    img = rng.random(shape).astype(np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_image("img", ember.from_numpy(img), 0, dataformats=fmt)
    ev = _accumulator(tmp_path).Images("img")[0]
    decoded = np.asarray(Image.open(io.BytesIO(ev.encoded_image_string)))
    assert (ev.height, ev.width) == (8, 6)
    expected = img if fmt != "HW" else img[None]
    if fmt == "HWC":
        expected = expected.transpose(2, 0, 1)
    if expected.shape[0] == 1:
        expected = np.repeat(expected, 3, 0)
    expected = (expected * 255).clip(0, 255).astype(np.uint8).transpose(1, 2, 0)
    assert np.array_equal(decoded, expected)


def test_add_images_tiles_a_batch_and_uint8_is_not_rescaled(tmp_path):
    from PIL import Image
    import io
    batch = np.arange(2 * 3 * 4 * 5, dtype=np.uint8).reshape(2, 3, 4, 5)
    with SummaryWriter(tmp_path) as w:
        w.add_images("batch", batch, 0)
    ev = _accumulator(tmp_path).Images("batch")[0]
    decoded = np.asarray(Image.open(io.BytesIO(ev.encoded_image_string)))
    assert decoded.shape == (4, 10, 3)
    assert np.array_equal(decoded[:, :5], batch[0].transpose(1, 2, 0))
    assert np.array_equal(decoded[:, 5:], batch[1].transpose(1, 2, 0))


def test_add_figure(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(2, 1), dpi=50)
    plt.plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path) as w:
        w.add_figure("fig", fig, 0)
    ev = _accumulator(tmp_path).Images("fig")[0]
    assert (ev.width, ev.height) == (100, 50)


def test_text_and_audio(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_text("note", "hello **world**", 2)
        w.add_audio("tone", ember.sin(ember.arange(800.0) / 10), 0, sample_rate=8000)
    acc = _accumulator(tmp_path)
    t = acc.Tensors("note/text_summary")[0]
    assert t.step == 2 and t.tensor_proto.string_val == [b"hello **world**"]
    assert acc.SummaryMetadata("note/text_summary").plugin_data.plugin_name == "text"
    a = acc.Audio("tone")[0]
    assert a.sample_rate == 8000 and a.length_frames == 800


def test_hparams_are_read_by_the_hparams_plugin(tmp_path):
    from tensorboard.plugins.hparams import plugin_data_pb2
    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"lr": 0.1, "opt": "adam", "layers": 2}, {"hparam/acc": 0.9},
                      run_name="trial")
    acc = _accumulator(tmp_path / "trial")
    tags = acc.Tags()
    assert "hparam/acc" in tags["scalars"]
    meta = acc.SummaryMetadata("_hparams_/session_start_info")
    data = plugin_data_pb2.HParamsPluginData.FromString(meta.plugin_data.content)
    hp = data.session_start_info.hparams
    assert hp["lr"].number_value == 0.1 and hp["opt"].string_value == "adam"
    exp = plugin_data_pb2.HParamsPluginData.FromString(
        acc.SummaryMetadata("_hparams_/experiment").plugin_data.content).experiment
    assert [h.name for h in exp.hparam_infos] == ["lr", "opt", "layers"]
    assert [m.name.tag for m in exp.metric_infos] == ["hparam/acc"]
    with pytest.raises(TypeError):
        w.add_hparams([1], {})


def test_pr_curve_matches_torch_values(tmp_path):
    labels = np.array([0, 1, 1, 0, 1, 1])
    preds = np.array([0.1, 0.8, 0.6, 0.4, 0.9, 0.3])
    with SummaryWriter(tmp_path) as w:
        w.add_pr_curve("pr", ember.tensor(labels), ember.tensor(preds), 0, num_thresholds=11)
    proto = _accumulator(tmp_path).Tensors("pr")[0].tensor_proto
    data = np.array(proto.float_val).reshape(6, 11)
    assert data[0, 0] == 4 and data[1, 0] == 2           # every positive/negative at t=0
    torch_summary = pytest.importorskip("torch.utils.tensorboard.summary")
    theirs = torch_summary.compute_curve(labels, preds, num_thresholds=11)
    assert np.allclose(data, theirs.astype(np.float32))


def test_custom_scalars_layout(tmp_path):
    from tensorboard.plugins.custom_scalar import layout_pb2
    layout = {"Losses": {"loss": ["Multiline", ["loss/train", "loss/val"]],
                         "band": ["Margin", ["m", "lo", "hi"]]}}
    with SummaryWriter(tmp_path) as w:
        w.add_custom_scalars(layout)
    proto = _accumulator(tmp_path).Tensors("custom_scalars__config__")[0].tensor_proto
    parsed = layout_pb2.Layout.FromString(proto.string_val[0])
    cat = parsed.category[0]
    assert cat.title == "Losses"
    assert list(cat.chart[0].multiline.tag) == ["loss/train", "loss/val"]
    assert cat.chart[1].margin.series[0].upper == "hi"


def test_embedding_projector_files(tmp_path):
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
    mat = ember.randn(4, 3)
    imgs = ember.rand(4, 1, 5, 5)
    with SummaryWriter(tmp_path) as w:
        w.add_embedding(mat, metadata=["a", "b", "c", "d"], label_img=imgs, global_step=3,
                        tag="feat")
    cfg = text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(),
                            ProjectorConfig())
    emb = cfg.embeddings[0]
    assert emb.tensor_name == "feat:00003" and emb.tensor_path == "00003/feat/tensors.tsv"
    rows = (tmp_path / "00003" / "feat" / "tensors.tsv").read_text().splitlines()
    assert np.allclose([[float(v) for v in r.split("\t")] for r in rows], mat.numpy())
    assert (tmp_path / "00003" / "feat" / "metadata.tsv").read_text() == "a\nb\nc\nd\n"
    assert list(emb.sprite.single_image_dim) == [5, 5]
    assert (tmp_path / "00003" / "feat" / "sprite.png").exists()


def test_default_log_dir_and_purge_step(tmp_path, monkeypatch):
    import socket
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_exp", purge_step=5)
    w.add_scalar("x", 1.0, 6)
    w.close()
    run = os.listdir(tmp_path / "runs")[0]
    assert run.endswith("_" + socket.gethostname() + "_exp")
    assert w.get_logdir() == os.path.join("runs", run)
    assert [e.step for e in _accumulator(tmp_path / "runs" / run).Scalars("x")] == [6]


def test_bad_inputs_raise():
    with pytest.raises(AssertionError, match="one element"):
        from ember.utils.tensorboard.summary import scalar
        scalar("x", ember.ones(3))
    from ember.utils.tensorboard.summary import image
    with pytest.raises(AssertionError, match="input format"):
        image("x", np.zeros((3, 4)), dataformats="CHW")


def test_add_graph_is_read_back_as_a_graph_def(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    class Net(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = ember.nn.Conv2d(1, 4, 3)
            self.fc = ember.nn.Linear(4 * 6 * 6, 10)

        def forward(self, x):
            return self.fc(ember.relu(self.conv(x)).flatten(1))

    with SummaryWriter(tmp_path) as w:
        w.add_graph(Net(), ember.randn(2, 1, 8, 8))
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    graph = acc.Graph()
    by_name = {n.name: n for n in graph.node}
    ops = [n.op for n in graph.node]
    assert "IO Node" in ops and "prim::GetAttr" in ops
    assert "Net/fc.weight" in by_name and "Net/conv.weight" in by_name
    conv = next(n for n in graph.node if n.name.startswith("Net/conv/"))
    assert "input/x" in conv.input or any(i.startswith("input/") for i in conv.input)
    assert "Net/conv.weight" in conv.input
    fc = next(n for n in graph.node if n.name.startswith("Net/fc/"))
    assert fc.op == "aten::linear" and "Net/fc.weight" in fc.input
    dims = [d.size for d in fc.attr["_output_shapes"].list.shape[0].dim]
    assert dims == [2, 10]
    out = next(n for n in graph.node if n.name.startswith("output/"))
    assert out.input == [fc.name]
