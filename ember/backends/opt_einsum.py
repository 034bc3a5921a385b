"""``torch.backends.opt_einsum``: einsum contraction order (NumPy's ``optimize``)."""
enabled = True
strategy = "auto"


def is_available():
    return True
