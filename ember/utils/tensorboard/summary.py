"""Summary protobufs, built with the ``tensorboard`` package's protos and plugin metadata.

One function per kind of summary, each producing what ``torch.utils.tensorboard``'s
function of the same name produces (the plugins read these tags and encodings):
scalar (``simple_value``, or the ``scalars`` plugin's tensor with ``new_style``),
histogram (TensorFlow's exponential buckets by default, trimmed to the occupied range),
image (PNG through Pillow), text (the ``text`` plugin's string tensor under
``<tag>/text_summary``), hparams (the ``hparams`` plugin's experiment / session start /
session end), pr_curve (the ``pr_curves`` plugin's 6 x thresholds tensor),
custom_scalars (the layout proto under ``custom_scalars__config__``).
"""
import io

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

from ._convert import make_np, scale_factor, to_hwc


def _plugin_metadata(name, content=b""):
    return SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=name,
                                                                  content=content))


def scalar(name, value, new_style=False, double_precision=False):
    arr = make_np(value).squeeze()
    if arr.ndim != 0:
        raise AssertionError("Tensor should contain one element (0 dimensions). Was given "
                             f"size: {arr.size} and {arr.ndim} dimensions.")
    v = float(arr)
    if new_style:
        proto = (TensorProto(double_val=[v], dtype="DT_DOUBLE") if double_precision
                 else TensorProto(float_val=[v], dtype="DT_FLOAT"))
        return Summary(value=[Summary.Value(tag=name, tensor=proto,
                                            metadata=_plugin_metadata("scalars"))])
    return Summary(value=[Summary.Value(tag=name, simple_value=v)])


def default_bins():
    """TensorFlow's histogram buckets: +-1e-12 * 1.1**k up to 1e20, and 0."""
    v, pos = 1e-12, []
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    return [-b for b in reversed(pos)] + [0] + pos


def make_histogram(values, bins, max_bins=None):
    """A HistogramProto of ``values`` with ``np.histogram`` buckets, trimmed to the
    occupied range (one empty bucket kept on the left), as PyTorch builds it."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        sub = len(counts) // max_bins
        rem = len(counts) % sub
        if rem != 0:
            counts = np.pad(counts, [[0, sub - rem]], mode="constant", constant_values=0)
        counts = counts.reshape(-1, sub).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:sub]
        new_limits[-1] = limits[-1]
        limits = new_limits
    occupied = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(occupied, [0, occupied[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    return HistogramProto(min=values.min(), max=values.max(), num=len(values),
                          sum=values.sum(), sum_squares=values.dot(values),
                          bucket_limit=limits.tolist(), bucket=counts.tolist())


def histogram(name, values, bins, max_bins=None):
    hist = make_histogram(make_np(values).astype(float), bins, max_bins)
    return Summary(value=[Summary.Value(tag=name, histo=hist)])


def histogram_raw(name, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    hist = HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                          bucket_limit=bucket_limits, bucket=bucket_counts)
    return Summary(value=[Summary.Value(tag=name, histo=hist)])


def _png_image(hwc_uint8, rescale=1, boxes=None, labels=None):
    from PIL import Image, ImageDraw
    height, width, channels = hwc_uint8.shape
    img = Image.fromarray(hwc_uint8)
    if boxes is not None:
        draw = ImageDraw.Draw(img)
        for i, (x0, y0, x1, y1) in enumerate(boxes):
            draw.rectangle([float(x0), float(y0), float(x1), float(y1)], outline="Red",
                           width=1)
            if labels is not None:
                draw.text((float(x0), float(y0)), str(labels[i]), fill="Red")
    img = img.resize((int(width * rescale), int(height * rescale)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return Summary.Image(height=height, width=width, colorspace=channels,
                         encoded_image_string=buf.getvalue())


def _as_uint8_hwc(img, dataformats):
    arr = to_hwc(make_np(img), dataformats)
    factor = scale_factor(arr)
    return (arr.astype(np.float32) * factor).clip(0, 255).astype(np.uint8)


def image(tag, img, rescale=1, dataformats="NCHW"):
    return Summary(value=[Summary.Value(tag=tag, image=_png_image(
        _as_uint8_hwc(img, dataformats), rescale))])


def image_boxes(tag, img, boxes, rescale=1, dataformats="CHW", labels=None):
    hwc = _as_uint8_hwc(img, dataformats)
    return Summary(value=[Summary.Value(tag=tag, image=_png_image(
        hwc, rescale, boxes=make_np(boxes), labels=labels))])


def audio(tag, samples, sample_rate=44100):
    import wave
    arr = make_np(samples).squeeze()
    if abs(arr).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        arr = arr.clip(-1, 1)
    if arr.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    pcm = (arr * np.iinfo(np.int16).max).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    snd = Summary.Audio(sample_rate=sample_rate, num_channels=1, length_frames=pcm.shape[-1],
                        encoded_audio_string=buf.getvalue(), content_type="audio/wav")
    return Summary(value=[Summary.Value(tag=tag, audio=snd)])


def text(tag, text_string):
    from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
    meta = _plugin_metadata("text", TextPluginData(version=0).SerializeToString())
    proto = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf_8")],
                        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta,
                                        tensor=proto)])


def _hparam_value(v):
    from ..._tensor import Tensor
    if isinstance(v, Tensor):
        return float(make_np(v).reshape(-1)[0])
    return v


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's (experiment, session start, session end) summaries."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import metadata
    from tensorboard.plugins.hparams.api_pb2 import (DataType, Experiment, HParamInfo,
                                                     MetricInfo, MetricName, Status)
    from tensorboard.plugins.hparams.plugin_data_pb2 import (HParamsPluginData,
                                                             SessionEndInfo, SessionStartInfo)
    from ..._tensor import Tensor

    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    discrete = hparam_domain_discrete or {}
    if not isinstance(discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, "
                        "nothing logged.")
    for k, v in discrete.items():
        if k not in hparam_dict or not isinstance(v, list) or \
                not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of "
                            f"same type as hparam_dict[{k}].")
    infos = []
    start = SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        # PyTorch tests int/float first, so bools are logged as numbers too.
        if isinstance(v, (int, float)) or isinstance(v, Tensor):
            v = _hparam_value(v)
            start.hparams[k].number_value = v
            kind, field = "DATA_TYPE_FLOAT64", "number_value"
        elif isinstance(v, str):
            start.hparams[k].string_value = v
            kind, field = "DATA_TYPE_STRING", "string_value"
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        domain = None
        if k in discrete:
            domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d})
                                                  for d in discrete[k]])
        infos.append(HParamInfo(name=k, type=DataType.Value(kind), domain_discrete=domain))

    def summary_of(tag, **content):
        data = HParamsPluginData(version=metadata.PLUGIN_DATA_VERSION, **content)
        meta = _plugin_metadata(metadata.PLUGIN_NAME, data.SerializeToString())
        return Summary(value=[Summary.Value(tag=tag, metadata=meta)])

    experiment = Experiment(hparam_infos=infos,
                            metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict])
    return (summary_of(metadata.EXPERIMENT_TAG, experiment=experiment),
            summary_of(metadata.SESSION_START_INFO_TAG, session_start_info=start),
            summary_of(metadata.SESSION_END_INFO_TAG,
                       session_end_info=SessionEndInfo(status=Status.Value("STATUS_SUCCESS"))))


def compute_curve(labels, predictions, num_thresholds, weights=None):
    """(tp, fp, tn, fn, precision, recall) at ``num_thresholds`` thresholds in [0, 1]."""
    minimum_count = 1e-7
    weights = 1.0 if weights is None else weights
    buckets = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    span = (0, num_thresholds - 1)
    tp_b, _ = np.histogram(buckets, bins=num_thresholds, range=span,
                           weights=float_labels * weights)
    fp_b, _ = np.histogram(buckets, bins=num_thresholds, range=span,
                           weights=(1.0 - float_labels) * weights)
    tp = np.cumsum(tp_b[::-1])[::-1]
    fp = np.cumsum(fp_b[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(minimum_count, tp + fp)
    recall = tp / np.maximum(minimum_count, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def _pr_summary(tag, data, num_thresholds):
    from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
    meta = _plugin_metadata("pr_curves", PrCurvePluginData(
        version=0, num_thresholds=num_thresholds).SerializeToString())
    proto = TensorProto(dtype="DT_FLOAT", float_val=data.reshape(-1).tolist(),
                        tensor_shape=TensorShapeProto(dim=[
                            TensorShapeProto.Dim(size=data.shape[0]),
                            TensorShapeProto.Dim(size=data.shape[1])]))
    return Summary(value=[Summary.Value(tag=tag, metadata=meta, tensor=proto)])


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, 127)     # the plugin's limit, as in PyTorch
    return _pr_summary(tag, compute_curve(labels, predictions, num_thresholds, weights),
                       num_thresholds)


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, 127)
    data = np.stack([make_np(a).astype(np.float64) for a in (tp, fp, tn, fn, precision,
                                                               recall)])
    return _pr_summary(tag, data, num_thresholds)


def custom_scalars(layout):
    """``layout``: {category: {chart title: ["Multiline", [tags]] or ["Margin",
    [value, lower, upper]]}}."""
    from tensorboard.plugins.custom_scalar import layout_pb2
    categories = []
    for title, charts_spec in layout.items():
        charts = []
        for chart_title, (kind, tags) in charts_spec.items():
            if kind == "Margin":
                if len(tags) != 3:
                    raise AssertionError("len(tags) != 3")
                content = layout_pb2.MarginChartContent(series=[
                    layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1],
                                                         upper=tags[2])])
                charts.append(layout_pb2.Chart(title=chart_title, margin=content))
            else:
                charts.append(layout_pb2.Chart(
                    title=chart_title, multiline=layout_pb2.MultilineChartContent(tag=tags)))
        categories.append(layout_pb2.Category(title=title, chart=charts))
    proto = TensorProto(dtype="DT_STRING",
                        string_val=[layout_pb2.Layout(category=categories).SerializeToString()],
                        tensor_shape=TensorShapeProto())
    return Summary(value=[Summary.Value(tag="custom_scalars__config__", tensor=proto,
                                        metadata=_plugin_metadata("custom_scalars"))])


_TENSOR_FIELDS = {  # numpy dtype -> (TensorProto dtype, value field)
    "float16": ("DT_HALF", "half_val"), "float32": ("DT_FLOAT", "float_val"),
    "float64": ("DT_DOUBLE", "double_val"), "int8": ("DT_INT8", "int_val"),
    "uint8": ("DT_UINT8", "int_val"), "int16": ("DT_INT16", "int_val"),
    "int32": ("DT_INT32", "int_val"), "int64": ("DT_INT64", "int64_val"),
    "bool": ("DT_BOOL", "bool_val"),
}


def tensor_proto(tag, value):
    arr = make_np(value)
    if arr.nbytes >= (1 << 31):
        raise ValueError("tensor is bigger than protocol buffer's hard limit of 2GB in size")
    spec = _TENSOR_FIELDS.get(str(arr.dtype))
    if spec is None:
        raise ValueError(f"{tag} has unsupported tensor dtype {arr.dtype}")
    dtype, field = spec
    flat = arr.reshape(-1)
    values = flat.view(np.uint16).tolist() if dtype == "DT_HALF" else flat.tolist()
    proto = TensorProto(dtype=dtype, tensor_shape=TensorShapeProto(
        dim=[TensorShapeProto.Dim(size=s) for s in arr.shape]), **{field: values})
    return Summary(value=[Summary.Value(tag=tag, metadata=_plugin_metadata("tensor"),
                                        tensor=proto)])


def figure_to_image(figures, close=True):
    """Render matplotlib figure(s) to a CHW (or NCHW for a list) uint8 array."""
    import matplotlib.backends.backend_agg as backend_agg
    import matplotlib.pyplot as plt

    def render(fig):
        canvas = backend_agg.FigureCanvasAgg(fig)
        canvas.draw()
        data = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8)
        w, h = fig.canvas.get_width_height()
        chw = np.moveaxis(data.reshape([h, w, 4])[:, :, :3], 2, 0)
        if close:
            plt.close(fig)
        return chw

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)
