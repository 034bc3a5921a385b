"""Why ember lacks a public torch name: one reason per name, by pattern.

``EXCLUDED`` reasons mark names outside the documented user API (TorchScript's IR classes,
backend kernels, quantized-tensor internals, typing helpers): the coverage targets count
the documented names only. The other reasons are the plan for names that are missing.
"""
import re

TORCHSCRIPT = "TorchScript/JIT internals (ember.jit has its own tracer)"
BACKEND = "backend-specific kernel (cuDNN, MIOpen, oneDNN, FBGEMM, Vulkan, IPU, XLA, XPU, MTIA)"
QUANT = "quantized-tensor internals (ember.ao.quantization's QTensor API instead)"
SYMBOLIC = "torch.compile symbolic-shape internals"
TYPING = "typing or documentation helper, not an API"
INTERNAL = "internal or export-only helper"
EXCLUDED = {TORCHSCRIPT, BACKEND, QUANT, SYMBOLIC, TYPING, INTERNAL}

SPARSE_COMPRESSED = "planned: sparse compressed layouts (CSR/CSC/BSR/BSC); ember has COO"
DTYPE = "dtype NumPy and ml_dtypes lack"
DEPRECATED = "removed or deprecated in PyTorch"
DEVICE = "GPU stream/device API (issue 19)"
PLANNED = "planned"

_RULES = [
    (TORCHSCRIPT, r"(Script\w*|Concrete\w*|Graph|GraphExecutorState|Node|Block|Value|Use|Type|"
                  r"\w+Type|Argument|ArgumentSpec|CompleteArgumentSpec|AliasDb|CallStack|Capsule|"
                  r"Code|CompilationUnit|DeepCopyMemoTable|ErrorReport|ExecutionPlan|FileCheck|"
                  r"FunctionSchema|Gradient|IODescriptor|InferredType|JITException|"
                  r"LiteScriptModule|LockingLogger|NoopLogger|OperatorInfo|PyTorchFile\w+|"
                  r"StaticModule|ThroughputBenchmark|TracingState|Benchmark\w+|AggregationType|"
                  r"AVG|SUM|DispatchKey\w*|ExcludeDispatchKeyGuard|DisableTorchFunction\w*|Tag|"
                  r"\w+StorageContext|parse_ir|parse_schema|parse_type_comment|"
                  r"merge_type_from_type_comment|unify_type_list|import_ir_module\w*|fork|wait|"
                  r"cpp|FatalError|BufferDict|ModuleDict|ParameterDict|module_load)"),
    (SYMBOLIC, r"(sym_\w+|Sym\w+)"),
    (BACKEND, r"(cudnn_\w+|miopen_\w+|mkldnn_\w+|fbgemm_\w+|\w*vulkan\w*|\w*_ipu\w*|ipu|"
              r"\w*_xla\w*|xpu|is_xpu|mtia|is_mtia|is_maia|is_mps|is_mkldnn|to_mkldnn|"
              r"scaled_mm|scaled_grouped_mm|grouped_mm|batch_norm_(stats|elemt|gather_stats\w*|"
              r"backward_\w+|update_stats)|native_norm|init_num_threads)"),
    (QUANT, r"(q_\w+|quantize_\w+|quantized_\w+|fake_quantize_\w+|fused_moving_avg_obs_fake_quant|"
            r"choose_qparams\w*|int_repr|dequantize|qscheme|quint\w+|empty_quantized)"),
    (TYPING, r"(BroadcastingList\d|Callable|DType|Optional|Tensor|TYPE_CHECKING|\w+_notes|"
             r"boolean_dispatch|assert_int_or_pair|handle_torch_function|has_torch_function\w*|"
             r"GRID_SAMPLE_\w+|ScalingType|SwizzleType|factory_kwargs)"),
    (INTERNAL, r"(slice_inverse|nonzero_static|hash_tensor|grad_dtype|const_data_ptr|dim_order|"
               r"thread_safe_generator|get_device_module|export|cond|as_subclass|is_set_to|"
               r"record_stream|empty_permuted|from_file)"),
    (SPARSE_COMPRESSED, r"(\w*csr\w*|\w*csc\w*|\w*bsr\w*|\w*bsc\w*|crow_indices\w*|"
                        r"ccol_indices\w*|row_indices\w*|col_indices\w*|sparse_compressed\w*|"
                        r"smm|hsmm|dsmm|saddmm|sspaddmm|hspmm|indices_copy|values_copy|"
                        r"resize_as_sparse_|sparse_resize_\w*)"),
    (DTYPE, r"(u?int[3567]|bits\w*|bit|complex32|chalf|bcomplex32|float4_e2m1fn_x2)"),
    (DEPRECATED, r"(symeig|eig|lstsq|solve|reinforce|volatile|Container|index)"),
    (DEVICE, r"(Stream|Event|AcceleratorError|OutOfMemoryError)"),
]
_COMPILED = [(reason, re.compile(pattern + r"\Z")) for reason, pattern in _RULES]


def reason(name):
    """The reason ember lacks ``name`` (``PLANNED`` when no rule names one)."""
    for why, pattern in _COMPILED:
        if pattern.match(name):
            return why
    return PLANNED
