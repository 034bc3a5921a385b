"""``torch.onnx`` for ember: ``export`` writes an ONNX model from ember's graph capture,
one converter per op family (``ember/onnx/converters/``), built with the ``onnx``
package's helpers. ``is_in_onnx_export()`` tells model code an export is running.

Where ember differs: only the TorchScript-style exporter's arguments exist
(``dynamo=True`` raises NotImplementedError); the default opset is 17.
"""
import enum

from ._context import ExportError
from ._export import DEFAULT_OPSET as DEFAULT_OPSET, export, is_in_onnx_export

__all__ = [
    "ExportError",
    "OperatorExportTypes",
    "TrainingMode",
    "errors",
    "export",
    "is_in_onnx_export",
    "producer_name",
    "producer_version",
]

producer_name = "ember"
producer_version = "0"


class TrainingMode(enum.Enum):
    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


class OperatorExportTypes(enum.Enum):
    ONNX = 0
    ONNX_ATEN = 1
    ONNX_ATEN_FALLBACK = 2
    ONNX_FALLTHROUGH = 3


class _Errors:
    UnsupportedOperatorError = ExportError
    OnnxExporterError = ExportError


errors = _Errors()
