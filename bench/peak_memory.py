"""Peak resident memory of a training step: the ResNet-18 CIFAR step (bench/resnet18.py)
and the 2-layer LSTM LM step (bench/lstm_lm.py), ember vs torch (issue 18: <= 1.2x torch).

Each library runs in a fresh process: build the model and data, one warm-up step, then reset
the kernel's high-water mark (``/proc/self/clear_refs`` "5") and run two more steps; the
number is the peak RSS of those steps (``VmHWM``) minus the RSS just before them, so neither
the libraries' own code (torch maps ~300 MB of shared objects) nor the warm-up counts: it is
the memory the step itself needs (activations, saved tensors, gradients, temporaries).
Linux only. The row reports MiB, not seconds.
"""
import json
import subprocess
import sys

DESCRIPTION = "peak RSS of a step above its start, ResNet-18 b16 + LSTM LM"
NUMBER = 1
UNIT = "MiB"
STEPS = ("resnet18", "lstm_lm")

_CHILD = r"""
import importlib, json, sys
lib = importlib.import_module(sys.argv[1])
run = importlib.import_module("bench." + sys.argv[2]).make(lib)
run()

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024.0
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
start = status("VmRSS:")
run(); run()
print(json.dumps(status("VmHWM:") - start))
"""


def peak_step_mib(lib_name, step):
    out = subprocess.run([sys.executable, "-c", _CHILD, lib_name, step], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(lib):
    """MiB: the sum over STEPS of each step's peak above its start."""
    return sum(peak_step_mib(lib.__name__, s) for s in STEPS)


if __name__ == "__main__":
    for s in STEPS:
        for name in ("ember", "torch"):
            print(s, name, f"{peak_step_mib(name, s):.1f} MiB")
