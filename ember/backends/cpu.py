"""``torch.backends.cpu``."""


def get_cpu_capability():
    """ember runs NumPy's kernels, whose SIMD dispatch it does not choose: 'DEFAULT'."""
    return "DEFAULT"
