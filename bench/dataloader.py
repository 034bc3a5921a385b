"""DataLoader throughput: one epoch over an in-memory image dataset, with a NumPy
per-sample transform, for ``num_workers=0`` and ``num_workers=2``.

2048 samples of 3x32x32 float32 (stored padded to 40x40), each sample a random 32x32 crop
and a random horizontal flip drawn from NumPy's global RNG (seeded per worker by the
DataLoader), returned as ``lib.from_numpy(...)`` with an int label; batch size 64,
shuffled, default collate. Both libraries run the same NumPy code per sample, so the
ratio measures the loader itself: sampling, collation, worker start-up, transport of
batches between processes, shutdown. Workers are started fresh every epoch (the default,
``persistent_workers=False``).

``python -m bench`` times an epoch with 0 workers plus an epoch with 2 workers as one
call; ``python -m bench.dataloader`` prints the two separately, in batches/s.
"""
import importlib

import numpy

DESCRIPTION = "DataLoader epoch, 2048x3x32x32, crop+flip, bs 64, 0 and 2 workers"
NUMBER = 1
N, C, H, W, PAD, BATCH = 2048, 3, 32, 32, 4, 64
WORKER_COUNTS = (0, 2)


class Images:
    """Map-style dataset (plain ``__getitem__``/``__len__``, which both loaders accept)."""

    def __init__(self, lib_name, images, labels):
        self.lib_name = lib_name
        self.images = images          # (N, C, H + 2 PAD, W + 2 PAD) float32
        self.labels = labels
        self._lib = None

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_lib"}

    def __setstate__(self, state):
        self.__dict__.update(state, _lib=None)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        if self._lib is None:
            self._lib = importlib.import_module(self.lib_name)
        y, x = numpy.random.randint(0, 2 * PAD + 1, size=2)
        img = self.images[i, :, y:y + H, x:x + W]
        if numpy.random.rand() < 0.5:
            img = img[:, :, ::-1]
        return self._lib.from_numpy(numpy.ascontiguousarray(img)), int(self.labels[i])


def _data():
    rng = numpy.random.default_rng(0)
    images = rng.standard_normal((N, C, H, W), dtype=numpy.float32)
    images = numpy.pad(images, ((0, 0), (0, 0), (PAD, PAD), (PAD, PAD)))
    return images, rng.integers(0, 10, N)


def make(lib, worker_counts=WORKER_COUNTS):
    images, labels = _data()
    dataset = Images(lib.__name__, images, labels)
    data = importlib.import_module(f"{lib.__name__}.utils.data")

    def run():
        lib.manual_seed(0)
        for workers in worker_counts:
            n = 0
            for x, _y in data.DataLoader(dataset, batch_size=BATCH, shuffle=True,  # noqa: B007
                                        num_workers=workers):
                n += 1
            assert n == N // BATCH and tuple(x.shape) == (BATCH, C, H, W)
    return run


def main(repeats=5):
    import time
    import ember
    libs = {"ember": ember}
    try:
        import torch
        libs["torch"] = torch
    except ImportError:
        pass
    batches = N // BATCH
    print(f"{DESCRIPTION}; median of {repeats}, batches/s (higher is better)")
    for workers in WORKER_COUNTS:
        runs = {name: make(lib, (workers,)) for name, lib in libs.items()}
        times = {name: [] for name in libs}
        for fn in runs.values():
            fn()                                    # warm-up
        for _ in range(repeats):
            for name, fn in runs.items():           # alternate, as python -m bench does
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
        med = {name: sorted(t)[len(t) // 2] for name, t in times.items()}
        line = "  ".join(f"{name} {batches / s:8.1f}" for name, s in med.items())
        if "torch" in med:
            line += f"  ember/PyTorch time {med['ember'] / med['torch']:.2f}x"
        print(f"num_workers={workers}: {line}")


if __name__ == "__main__":
    main()
