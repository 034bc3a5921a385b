"""``import ember`` loads numpy and ember's core only (DESIGN.md, "lazy imports"; issue 18):
optional libraries and ember's optional parts load on first attribute access."""
import json
import subprocess
import sys

# Never loaded by a bare ``import ember``.
HEAVY = ["ml_dtypes", "PIL", "scipy", "onnx", "onnxruntime", "tensorboard", "mpi4py",
         "matplotlib", "tqdm", "torch", "ember.vision", "ember.jit", "ember.onnx",
         "ember.distributed", "ember.profiler", "ember.quantization", "ember.ao",
         "ember.utils.tensorboard", "ember.serialization", "ember.utils.data",
         "ember.optim.lr_scheduler", "ember.nn.parallel", "multiprocessing"]


def _fresh(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_ember_loads_none_of_the_optional_modules():
    loaded = _fresh("import json, sys, ember; "
                    f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert loaded == []


def test_lazy_parts_load_on_first_use():
    got = _fresh(
        "import json, sys, ember\n"
        "before = 'ml_dtypes' in sys.modules\n"
        "assert ember.bfloat16.itemsize == 2 and 'ml_dtypes' not in sys.modules\n"
        "t = ember.ones(2, dtype=ember.bfloat16)\n"
        "f8 = ember.tensor([0.5], dtype=ember.float8_e5m2).float().tolist()\n"
        "names = [ember.save.__module__, ember.optim.lr_scheduler.StepLR.__name__,\n"
        "         ember.nn.DataParallel.__name__, ember.utils.data.DataLoader.__name__,\n"
        "         ember.amp.GradScaler.__name__]\n"
        "print(json.dumps([before, 'ml_dtypes' in sys.modules, str(t.dtype), f8, names]))")
    assert got == [False, True, "ember.bfloat16", [0.5],
                   ["ember.serialization", "StepLR", "DataParallel", "DataLoader", "GradScaler"]]


def test_ml_dtypes_array_made_by_the_caller_converts():
    got = _fresh("import json, ml_dtypes, numpy, ember\n"
                 "a = numpy.array([1.5, -2], dtype=ml_dtypes.bfloat16)\n"
                 "t = ember.from_numpy(a)\n"
                 "print(json.dumps([str(t.dtype), t.float().tolist(), ember.is_floating_point(t)]))")
    assert got == ["ember.bfloat16", [1.5, -2.0], True]
