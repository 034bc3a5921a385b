from .scatter_gather import gather, scatter, scatter_kwargs  # noqa: F401  (issue 12)
