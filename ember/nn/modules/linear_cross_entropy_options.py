"""``nn.LinearCrossEntropyOptions`` (PyTorch 2.14): how ``F.linear_cross_entropy`` chunks.

A frozen dataclass with PyTorch's fields, defaults, validation messages and repr.
``_adjust`` resolves the "auto" settings for one call as PyTorch does: the chunk size
from ``chunking_method`` ("aspect_ratio[:N]": a ``(chunk, C)`` logits block about the
size of the ``(N, F)`` input, rounded up to a power of two and divided by N; capped for
the auto compact policy so the chunked peak stays under the unchunked one), the
accumulation policy (``"accurate"`` for float16/bfloat16 on the CPU, ``"compact"``
otherwise) and the accumulation dtype (float32 for half inputs, else the input dtype).
"""
import dataclasses

from ..._dtype import float16, bfloat16, float32, float64

__all__ = ["LinearCrossEntropyOptions"]

_POLICIES = ("auto", "accurate", "compact")
_HALF = (float16, bfloat16)


def _pow2_ceil(n):
    return 1 << (n - 1).bit_length()


def _ceil_div(a, b):
    return -(-a // b)


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """Chunking configuration of :func:`ember.nn.functional.linear_cross_entropy`.

    allow_retain_graph -- keep the precomputed gradients so backward may run twice;
    batch_chunk_size -- rows per chunk (None: from ``chunking_method``, or one chunk);
    chunking_method -- "auto", "aspect_ratio", "aspect_ratio:N" or None;
    acc_policy -- "auto", "accurate" or "compact"; acc_dtype -- accumulation dtype or None.
    """

    allow_retain_graph: bool = False
    batch_chunk_size: "int | None" = None
    chunking_method: "str | None" = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __post_init__(self):
        if self.acc_policy not in _POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}; expected one of "
                             + ", ".join(map(repr, _POLICIES)))
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            factor = factor if sep else "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        size = self.batch_chunk_size
        if not (size is None or (isinstance(size, int) and size > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {size!r}")
        if self.acc_dtype is not None and self.acc_dtype not in (float16, bfloat16, float32,
                                                                 float64):
            raise ValueError("acc_dtype must be one of {None, ember.float16, ember.bfloat16, "
                             f"ember.float32, ember.float64}}, got {self.acc_dtype!r}. Pass "
                             "acc_dtype=None to let the op pick automatically.")

    @staticmethod
    def _aspect_ratio_chunk(method, num_batches, in_features, num_classes):
        factor = int(method.split(":", 1)[1]) if ":" in method else 1
        target = _ceil_div(num_batches, _ceil_div(num_classes, in_features))
        return min(_pow2_ceil(target) // factor, num_batches)

    def _adjust(self, num_batches, in_features, num_classes, dtype, device=None,
                prob_target=False):
        """A copy with every "auto"/None resolved for one call (PyTorch's rules)."""
        method = self.chunking_method
        was_auto = method == "auto"
        if was_auto and self.batch_chunk_size is not None:
            method = None
        policy = self.acc_policy
        if policy == "auto":
            on_cpu = device is not None and device.type == "cpu"
            policy = "accurate" if on_cpu and dtype in _HALF else "compact"
        if method == "auto":
            method = "aspect_ratio"
        size = num_batches if self.batch_chunk_size is None else min(self.batch_chunk_size,
                                                                    num_batches)
        if method is not None:
            size = self._aspect_ratio_chunk(method, num_batches, in_features, num_classes)
            if was_auto and policy == "compact":
                ref = (num_batches // 2 if prob_target
                       else num_batches * num_classes // (4 * in_features))
                ref = 1 << (ref.bit_length() - 1) if ref >= 1 else 1
                size = max(1, min(size, ref))
            if self.batch_chunk_size is not None and self.batch_chunk_size != size:
                raise ValueError(f"batch_chunk_size (={self.batch_chunk_size}) and "
                                 f"chunking_method ('{method}') give different chunk sizes "
                                 f"({self.batch_chunk_size} vs {size}); pass only one.")
        acc = self.acc_dtype
        if acc is None:
            auto_half = (self.acc_policy == "auto" and device is not None and dtype in _HALF
                         and device.type in ("cpu", "cuda"))
            acc = float32 if auto_half else dtype
        return dataclasses.replace(self, acc_policy=policy, chunking_method=method,
                                   batch_chunk_size=max(1, size), acc_dtype=acc)
