"""Small local data for the example programs, in each program's own on-disk format."""
import os
import random
import struct

import numpy as np

PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs")


def word_corpus(folder, n_train=300, n_eval=24, seed=0):
    """train/valid/test.txt from a tiny grammar (something a language model can learn)."""
    rnd = random.Random(seed)
    pick = rnd.choice

    def sentence():
        return " ".join([pick(["the", "a"]), pick(["cat", "dog"]), pick(["sat", "ran"]),
                         pick(["on", "to", "in"]), pick(["the", "a"]),
                         pick(["big", "red", "blue", "small"]),
                         pick(["mat", "house", "door", "town"])])
    os.makedirs(folder, exist_ok=True)
    for name, n in (("train", n_train), ("valid", n_eval), ("test", n_eval)):
        with open(os.path.join(folder, f"{name}.txt"), "w") as f:
            f.write("\n".join(sentence() for _ in range(n)) + "\n")


def _idx(path, array):
    array = np.ascontiguousarray(array, dtype=np.uint8)
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 8, array.ndim))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.tobytes())


def mnist(root, n_train=256, n_test=100, seed=0):
    """root/MNIST/raw/*-idx?-ubyte: digit k is a bright bar at a k-dependent place + noise."""
    rng = np.random.default_rng(seed)
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 60, (n, 28, 28))
        for i, k in enumerate(labels):
            r = 2 + 2 * k
            images[i, r:r + 3, 4:24] = 250
        _idx(os.path.join(raw, f"{prefix}-images-idx3-ubyte"), images)
        _idx(os.path.join(raw, f"{prefix}-labels-idx1-ubyte"), labels)


def copy_program(name, folder):
    import shutil
    src = os.path.join(PROGRAMS, name)
    if os.path.isdir(src):
        for f in os.listdir(src):
            if f.endswith(".py"):
                shutil.copy(os.path.join(src, f), folder)
        return os.path.join(str(folder), "main.py")
    shutil.copy(src, folder)
    return os.path.join(str(folder), name)


def sine(folder):
    """traindata.pt, written by the data script itself (torch.save of a NumPy array)."""
    import subprocess
    import sys
    from runner import env
    shutil_copy = copy_program("sine_data.py", folder)
    subprocess.run([sys.executable, "-m", "ember.run", shutil_copy], cwd=str(folder), env=env(),
                   check=True, capture_output=True, timeout=120)


# name -> (program, args, data setup, metric, extra environment, ember modules needed)
CASES = {
    "regression": ("regression.py", [], None, "LOSS", {}, []),
    "time_sequence_prediction": ("time_sequence.py", ["--steps", "2"], sine, "LOSS",
                                 {"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"}, []),
    **{f"word_language_model[{m}]": ("word_lm", ["--model", m, "--lr", lr, "--epochs", "3",
                                                 "--batch_size", "4", "--data", "corpus"],
                                     lambda d: word_corpus(os.path.join(str(d), "corpus")),
                                     "LOSS", {}, [])
       for m, lr in (("LSTM", "20"), ("GRU", "5"), ("RNN_TANH", "5"), ("RNN_RELU", "5"),
                     ("Transformer", "5"))},
    "mnist": ("mnist.py", ["--epochs", "2"], lambda d: mnist(os.path.join(str(d), "data")),
              "LOSS", {}, ["ember.vision.datasets"]),
    "vae": ("vae.py", ["--epochs", "3"], lambda d: mnist(os.path.join(str(d), "data")), "LOSS",
            {}, ["ember.vision.datasets", "ember.vision.utils"]),
    "dcgan": ("dcgan.py", ["--niter", "2"], None, "LOSS", {},
              ["ember.vision.datasets", "ember.vision.utils"]),
    "imagenet --dummy resnet18": ("imagenet_dummy.py", ["--dummy", "-a", "resnet18", "--steps", "2"], None,
                                  "LOSS", {}, ["ember.vision.models"]),
    "mnist_hogwild": ("hogwild", ["--epochs", "2"], lambda d: mnist(os.path.join(str(d), "data")),
                      "LOSS", {}, ["ember.vision.datasets", "ember.multiprocessing"]),
    "reinforce": ("reinforce.py", ["--episodes", "20"], None, "REWARD", {}, []),
    "actor_critic": ("actor_critic.py", ["--episodes", "20"], None, "REWARD", {}, []),
}


def values(stdout, metric):
    return [float(line.split()[1]) for line in stdout.splitlines()
            if line.startswith(metric + " ")]


def cora(folder, n_nodes=120, n_feats=30, n_classes=3, seed=0):
    """cora/cora.content (id, binary features, label) and cora/cora.cites (id pairs):
    features and links both depend on the class, so a GCN can learn it."""
    rng = np.random.default_rng(seed)
    path = os.path.join(str(folder), "cora")
    os.makedirs(path, exist_ok=True)
    ids = rng.choice(10000, n_nodes, replace=False) + 1
    labels = rng.integers(0, n_classes, n_nodes)
    with open(os.path.join(path, "cora.content"), "w") as f:
        for i, k in zip(ids, labels):
            p = np.full(n_feats, 0.05)
            p[k * 10:(k + 1) * 10] = 0.5
            feats = (rng.random(n_feats) < p).astype(int)
            feats[k * 10] = 1
            f.write("\t".join([str(i)] + [str(v) for v in feats] + [f"class_{k}"]) + "\n")
    with open(os.path.join(path, "cora.cites"), "w") as f:
        for a in range(n_nodes):
            same = np.flatnonzero(labels == labels[a])
            for b in rng.choice(same, 3):
                if b != a:
                    f.write(f"{ids[a]}\t{ids[b]}\n")


CASES["gcn"] = ("gcn.py", ["--epochs", "40"], cora, "LOSS", {}, ["ember:sparse_coo_tensor"])
CASES["gat"] = ("gat.py", ["--epochs", "60"], cora, "LOSS", {}, ["ember:sparse_coo_tensor"])
