#!/usr/bin/env bash
# GPU verification for issue 19, one run in under 8 minutes (one NVIDIA GPU):
#   1. installs CuPy (cupy-cuda12x) unless it imports already; where the machine has no
#      network, point CUPY_WHEELHOUSE at a folder holding the wheel (pip download
#      'cupy-cuda12x>=13' -d DIR on a machine with one);
#   2. runs the tests marked `cuda` (tests/test_cuda_device.py and the op table's devices
#      column, tests/ops/test_op_table.py::test_cuda_matches_cpu), which skip without a GPU;
#   3. times the ResNet-18 CIFAR step and the LSTM LM step on the GPU, ember against torch
#      (python -m bench.gpu_bench).
# Prints the GPU's name, the test counts and the ratios; exits non-zero if a step fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
status=0

echo "== GPU"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "(no nvidia-smi)"

echo "== CuPy"
if ! python -c "import cupy" 2>/dev/null; then
    if [ -n "${CUPY_WHEELHOUSE:-}" ]; then
        timeout 180 python -m pip install -q --no-index --find-links "$CUPY_WHEELHOUSE" cupy-cuda12x
    else
        timeout 180 python -m pip install -q 'cupy-cuda12x>=13'
    fi
fi
if ! python -c "import cupy, sys; n = cupy.cuda.runtime.getDeviceCount(); print('cupy', cupy.__version__, n, 'device(s)'); sys.exit(n == 0)"; then
    echo "CuPy cannot see a GPU: nothing to check"; exit 1
fi
python -c "import ember; assert ember.cuda.is_available(), 'ember sees no GPU'; print('ember sees', ember.cuda.get_device_name())" || exit 1

echo "== tests marked cuda"
timeout 300 python -m pytest -q -p no:cacheprovider -m cuda -rfEs \
    tests/test_cuda_device.py tests/ops/test_op_table.py 2>&1 | tail -40
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== bench (ember vs torch, same GPU)"
timeout 150 python -m bench.gpu_bench --repeats 5 || status=1
exit $status
