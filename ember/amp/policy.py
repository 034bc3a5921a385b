"""Autocast op policies per device: PyTorch's documented op lists, written as tables that
map ember's Function classes to a policy.

PyTorch's lists (``torch.amp`` docs, "Autocast Op Reference") name ATen ops; ember's ops are
Function classes, so each torch name is mapped to the Function that computes it. A policy
is one of

- ``LOWER``   -- "ops that can autocast to float16/bfloat16": eligible floating inputs are
  cast to the autocast dtype (the op runs in the lower precision);
- ``FP32``    -- "ops that can autocast to float32": eligible inputs are cast to float32;
- ``PROMOTE`` -- "ops that promote to the widest input type": eligible floating inputs are
  cast to the widest floating dtype among them.

An entry may be a callable ``(args, kwargs) -> policy or None`` where the torch policy
depends on the call (``reflection_pad1d/2d`` are float32 on CPU, ``reflection_pad3d`` is
not; ``max_pool3d`` is, ``max_pool2d`` is not). Every op not in a table runs in its inputs'
type, as in PyTorch. "Eligible" is PyTorch's rule: a floating Tensor that is not float64.

Where ember differs (each because the ember op is a composite of other ops, or one ember
Function serves several torch ops, so the table cannot tell the cases apart):
- ``matmul`` of 1-D operands and of a matrix with a vector runs ember's Dot/Mv Functions,
  which follow torch's ``dot``/``mv`` entries (CPU: float32 inputs stay float32; torch's
  CPU ``matmul`` casts them);
- composite losses and distances (hinge_embedding, cosine_embedding, margin_ranking,
  triplet_margin, multi_margin, multilabel_margin, poisson_nll, cdist, pdist,
  cosine_similarity, addcmul/addcdiv, bilinear, outer ...) are built from ember primitives:
  their pieces follow the table, the whole does not get the float32 / promote cast.
"""
from ..ops import cross_entropy as _ce, ctc as _ctc, padding as _pad, scatter as _sc
from ..ops import (linear as _lin, linalg as _la, conv as _cv, activation as _act,
                   attention as _attn, rnn as _rnn, loss as _loss, pooling as _pool,
                   reduction as _red, pointwise as _pw, shape as _sh, indexing as _ix,
                   normalization as _norm)

LOWER = "lower_precision_fp"
FP32 = "fp32"
PROMOTE = "promote"


def _pad_policy(cpu):
    """reflection_pad1d/2d and replication_pad1d/2d/3d run in float32 on CPU (torch's
    list); circular padding and reflection_pad3d are not listed."""
    def policy(args, kwargs):
        mode = kwargs.get("mode")
        n = len(kwargs.get("specs", ()))
        if mode == "replicate" or (mode == "reflect" and n <= 2):
            return FP32
        return None
    return policy if cpu else None


def _explicit_dtype_guard(policy):
    """Ops called with an explicit ``dtype=`` are not eligible (torch's rule): ember's
    reductions receive it as ``np_dtype``."""
    def guarded(args, kwargs):
        return None if kwargs.get("np_dtype") is not None else policy
    return guarded


# torch op name -> ember Function classes (one name may map to several classes).
_OPS = {
    "linear": (_lin.Linear,),
    "mm": (_la.Mm,), "bmm": (_la.Bmm,), "addmm": (_la.Addmm,), "baddbmm": (_la.Baddbmm,),
    "matmul": (_la.Mm, _la.Bmm),
    "mv": (_la.Mv,), "addmv": (_la.Addmv,), "dot": (_la.Dot,),
    "einsum": (_la.Einsum,),      # torch's einsum decomposes into bmm
    "conv": (_cv._Conv,), "conv_transpose": (_cv._ConvTranspose,),
    "prelu": (_act.PreluKernel,),
    "scaled_dot_product_attention": (_attn.Attention,),
    "rnn_layer": (_rnn.RecurrentLayer,),   # mkldnn_rnn_layer (CPU), _cudnn_rnn (CUDA)
    "trace": (_la.Trace,),
    "prod": (_red.Prod, _red.ProdDim),
    "max_pool3d": (_pool._MAX_FN[3],), "avg_pool3d": (_pool._AVG_FN[3],),
    "adaptive_avg_pool3d": (_pool._AAVG_FN[3],), "adaptive_max_pool3d": (_pool._AMAX_FN[3],),
    "max_unpool": (_pool.MaxUnpool,),
    "pad": (_pad._ModePad,),
    "mse_loss": (_loss.MseLoss,), "l1_loss": (_loss.L1Loss,),
    "smooth_l1_loss": (_loss.SmoothL1Loss,), "huber_loss": (_loss.HuberLoss,),
    "binary_cross_entropy": (_loss.BinaryCrossEntropy,),
    "binary_cross_entropy_with_logits": (_loss.BinaryCrossEntropyWithLogits,),
    "soft_margin_loss": (_loss.SoftMarginLoss,), "kl_div": (_loss.KlDiv,),
    "nll_loss": (_ce.ClassNLL,), "cross_entropy": (_ce.ClassNLL, _ce.SoftTargetCE),
    "ctc_loss": (_ctc.CtcLoss,),
    "softmax": (_act.Softmax,), "log_softmax": (_act.LogSoftmax,),
    "softplus": (_act.Softplus,),
    "layer_norm": (_norm.LayerNormFn,), "group_norm": (_norm.GroupNormFn,),
    "sum": (_red.Sum, _red.SumDim), "cumsum": (_red.Cumsum,), "cumprod": (_red.Cumprod,),
    "norm": (_red.VectorNorm,),
    "pow": (_pw.Pow,),
    "cat": (_sh.Cat,), "stack": (_sh.Stack,), "index_copy": (_sc.IndexCopy,),
    "index_put": (_ix.IndexPut,), "scatter_add": (_sc.ScatterAdd,), "atan2": (_pw.Atan2,),
}
for _name in ("exp", "expm1", "log", "log10", "log1p", "log2", "acos", "asin", "cosh",
              "sinh", "tan", "reciprocal", "rsqrt"):
    _cls = getattr(_pw, _name.capitalize(), None) or getattr(_pw, _name.title(), None)
    _OPS[_name] = (_cls,) if _cls is not None else ()

# PyTorch's lists, by torch op name, as documented for torch 2.x.
CPU_LOWER = ("conv", "conv_transpose", "bmm", "mm", "baddbmm", "addmm", "linear", "matmul",
             "prelu", "scaled_dot_product_attention", "rnn_layer", "einsum")
CPU_FP32 = ("avg_pool3d", "binary_cross_entropy", "prod", "trace", "max_pool3d",
            "max_unpool", "adaptive_avg_pool3d", "adaptive_max_pool3d", "pad", "mse_loss",
            "nll_loss", "smooth_l1_loss", "cross_entropy", "l1_loss", "huber_loss",
            "soft_margin_loss", "ctc_loss", "kl_div", "binary_cross_entropy_with_logits")
CPU_PROMOTE = ("stack", "cat", "index_copy")

CUDA_LOWER = ("matmul", "addmv", "baddbmm", "bmm", "addmm", "conv", "conv_transpose",
              "linear", "mm", "mv", "prelu", "scaled_dot_product_attention", "rnn_layer",
              "einsum")
CUDA_FP32 = ("pow", "acos", "asin", "binary_cross_entropy_with_logits", "cosh", "cumprod",
             "cumsum", "exp", "expm1", "group_norm", "kl_div", "l1_loss", "layer_norm",
             "log", "log_softmax", "log10", "log1p", "log2", "mse_loss", "nll_loss",
             "cross_entropy", "norm", "prod", "reciprocal", "rsqrt", "sinh",
             "smooth_l1_loss", "soft_margin_loss", "softmax", "softplus", "sum", "tan",
             "huber_loss", "binary_cross_entropy")
CUDA_PROMOTE = ("atan2", "dot", "index_put", "scatter_add", "cat", "stack")

_MAX_UNPOOL = {2, 3}   # max_unpool2d/3d are on the CPU float32 list, max_unpool1d is not


def _max_unpool_policy(args, kwargs):
    return FP32 if kwargs.get("nd") in _MAX_UNPOOL else None


def _build(lower, fp32, promote, cpu):
    # every mapped class gets an entry (None: not listed for this device), so a listed
    # base never leaks to a mapped subclass (Addmv is an Addmm; addmv is cuda-only)
    table = {cls: None for classes in _OPS.values() for cls in classes}
    for names, policy in ((lower, LOWER), (fp32, FP32), (promote, PROMOTE)):
        for name in names:
            for cls in _OPS[name]:
                entry = policy
                if name == "pad":
                    entry = _pad_policy(cpu)
                elif name == "max_unpool":
                    entry = _max_unpool_policy
                elif name in ("sum", "prod", "cumsum", "cumprod"):
                    entry = _explicit_dtype_guard(policy)
                if entry is not None:
                    table[cls] = entry
    return table


CPU_POLICY = _build(CPU_LOWER, CPU_FP32, CPU_PROMOTE, cpu=True)
CUDA_POLICY = _build(CUDA_LOWER, CUDA_FP32, CUDA_PROMOTE, cpu=False)
POLICIES = {"cpu": CPU_POLICY, "cuda": CUDA_POLICY}


_MISSING = object()
_RESOLVED = {"cpu": {}, "cuda": {}}


def _resolve(device_type, func):
    """The table entry of ``func``: its own, or its nearest mapped base class's (ember makes
    per-call subclasses for grad_fn names: ``MseLoss`` -> ``MseLossMseLossBackward0``)."""
    table = POLICIES[device_type]
    for cls in func.__mro__:
        if cls in table:
            return table[cls]
    return None


def policy_of(device_type, func, args, kwargs):
    """The policy PyTorch applies to ``func`` on ``device_type`` for this call, or None."""
    memo = _RESOLVED[device_type]
    entry = memo.get(func, _MISSING)
    if entry is _MISSING:
        entry = memo[func] = _resolve(device_type, func)
    if entry is None or type(entry) is str:
        return entry
    return entry(args, kwargs)
