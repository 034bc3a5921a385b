"""``torch.backends.openmp``: ember's threads are BLAS's own (see ember.set_num_threads)."""


def is_available():
    return False
