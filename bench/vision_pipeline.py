"""Image input pipeline: an ImageFolder of JPEG files through RandomResizedCrop(64),
RandomHorizontalFlip, ToTensor and Normalize, batched by a DataLoader with 2 workers.

256 JPEGs of 96x128 (4 classes) are written once to a temporary folder; one call is one
epoch, batch 32, shuffled, fresh workers. ``python -m bench.vision_pipeline`` prints
images/s of each library. Target: ember's throughput >= PyTorch + torchvision's.
"""
import atexit
import importlib
import os
import shutil
import tempfile

import numpy

from bench._vision import vision_of

DESCRIPTION = "ImageFolder JPEG + RandomResizedCrop/flip/ToTensor/Normalize, 2 workers, bs 32"
NUMBER = 1
N_IMAGES, CLASSES, BATCH, WORKERS = 256, 4, 32, 2
_ROOT = []


def image_tree():
    """The folder of generated JPEGs (written on first use, removed at exit)."""
    if _ROOT:
        return _ROOT[0]
    from PIL import Image
    root = tempfile.mkdtemp(prefix="ember-bench-images-")
    atexit.register(shutil.rmtree, root, True)
    rng = numpy.random.default_rng(0)
    for i in range(N_IMAGES):
        folder = os.path.join(root, f"class{i % CLASSES}")
        os.makedirs(folder, exist_ok=True)
        base = rng.integers(0, 256, (12, 16, 3), dtype=numpy.uint8)
        img = Image.fromarray(base).resize((128, 96), Image.BILINEAR)
        img.save(os.path.join(folder, f"{i:04d}.jpg"), quality=90)
    _ROOT.append(root)
    return root


def make(lib):
    vision = vision_of(lib)
    T = vision.transforms
    transform = T.Compose([T.RandomResizedCrop(64), T.RandomHorizontalFlip(), T.ToTensor(),
                           T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
    dataset = vision.datasets.ImageFolder(image_tree(), transform=transform)
    data = importlib.import_module(f"{lib.__name__}.utils.data")

    def run():
        n = 0
        for x, y in data.DataLoader(dataset, batch_size=BATCH, shuffle=True,  # noqa: B007
                                    num_workers=WORKERS):
            n += len(y)
        assert n == N_IMAGES and tuple(x.shape[1:]) == (3, 64, 64)
    return run


def main(repeats=5):
    import time
    import ember
    libs = {"ember": ember}
    try:
        import torch
        import torchvision  # noqa: F401
        libs["torch"] = torch
    except ImportError:
        pass
    runs = {name: make(lib) for name, lib in libs.items()}
    times = {name: [] for name in libs}
    for fn in runs.values():
        fn()
    for _ in range(repeats):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    med = {name: sorted(t)[len(t) // 2] for name, t in times.items()}
    line = "  ".join(f"{name} {N_IMAGES / s:8.1f} images/s" for name, s in med.items())
    if "torch" in med:
        line += f"  ember/PyTorch throughput {med['torch'] / med['ember']:.2f}x"
    print(f"{DESCRIPTION}; median of {repeats}\n{line}")


if __name__ == "__main__":
    main()
