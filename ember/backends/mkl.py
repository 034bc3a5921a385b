"""``torch.backends.mkl``: ember calls whichever BLAS NumPy is built with."""


def is_available():
    return False
