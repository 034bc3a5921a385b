"""Fine-tune a torchvision-style ResNet-18 on an image folder, with ember.vision.

The program a torchvision user starts from, with `import ember as torch` and
`import ember.vision as torchvision`: scikit-learn's handwritten digits (1797 8x8 images)
are written to disk as 32x32 PNG files in an ImageFolder tree (train/ and val/, one
folder per digit), read back by `datasets.ImageFolder` through train and validation
transform pipelines and a DataLoader with 2 worker processes, and a `models.resnet18` with
a new 10-class `fc` is fine-tuned with SGD + momentum and a tqdm bar per epoch. Each epoch
prints the validation accuracy; the best weights are saved with torch.save, and a grid of
validation images framed green (right) or red (wrong) is written with `utils.save_image`.

ImageNet weights are used when `ResNet18_Weights.DEFAULT`'s file is already in the hub
cache ($TORCH_HOME/hub/checkpoints, shared with torch); otherwise the network starts from
torchvision's random initialisation (nothing is downloaded without a network).

    python examples/finetune_images.py             # 3 epochs, about 1-2 min on 2 cores
    python examples/finetune_images.py --quick     # a few steps, for the test suite
    python examples/finetune_images.py --weights none --epochs 5 --out /tmp/ft
"""
import argparse
import os
import time

import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.vision as torchvision
from ember.utils.data import DataLoader, Subset
from ember.vision import datasets, models, transforms as T, utils

SIZE = 32                                  # digits upscaled from 8x8
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def write_digits_tree(root, val_fraction=0.2, seed=0):
    """sklearn digits as PNG files: root/{train,val}/<digit>/<index>.png (skipped if there)."""
    from PIL import Image
    from sklearn.datasets import load_digits
    if os.path.isdir(os.path.join(root, "val")):
        return
    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))
    n_val = int(len(order) * val_fraction)
    for rank, i in enumerate(order):
        split = "val" if rank < n_val else "train"
        folder = os.path.join(root, split, str(digits.target[i]))
        os.makedirs(folder, exist_ok=True)
        pixels = (digits.images[i] * (255 / 16)).astype(np.uint8)
        img = Image.fromarray(pixels, mode="L").resize((SIZE, SIZE), Image.BICUBIC)
        img.convert("RGB").save(os.path.join(folder, f"{i:04d}.png"))


def build_model(weights_arg):
    weights = None
    if weights_arg == "auto":
        w = models.ResNet18_Weights.DEFAULT
        cached = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(w.url))
        weights = w if os.path.exists(cached) else None
        if weights is None:
            print(f"no {os.path.basename(w.url)} in {os.path.dirname(cached)}: "
                  "starting from random initialisation")
    elif weights_arg != "none":
        weights = models.ResNet18_Weights.verify(weights_arg)
    model = models.resnet18(weights=weights)
    model.fc = nn.Linear(model.fc.in_features, 10)      # the new head for 10 digits
    return model, weights


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.numel()
    return correct / total


def save_prediction_grid(model, dataset, path, n=32):
    """The first n validation images, framed green when predicted right, red when wrong."""
    model.eval()
    x = torch.stack([dataset[i][0] for i in range(n)])
    y = torch.tensor([dataset[i][1] for i in range(n)])
    with torch.no_grad():
        pred = model(x).argmax(dim=1)
    images = (x * torch.tensor(STD).view(1, 3, 1, 1) + torch.tensor(MEAN).view(1, 3, 1, 1))
    images = (images.clamp(0, 1) * 255).to(torch.uint8)
    framed = [utils.draw_bounding_boxes(img, torch.tensor([[0, 0, SIZE - 1, SIZE - 1]]),
                                        colors="green" if p == t else "red", width=2)
              for img, p, t in zip(images, pred.tolist(), y.tolist())]
    utils.save_image(torch.stack(framed).float() / 255, path, nrow=8, padding=2)
    return (pred == y).float().mean().item()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--weights", default="auto",
                        help="auto (ImageNet weights if cached), none, or a ResNet18_Weights name")
    parser.add_argument("--data", default=None, help="where to write the image tree")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    parser.add_argument("--quick", action="store_true",
                        help="1 epoch over 128 training images (for tests)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    from tqdm import tqdm
    torch.manual_seed(0)
    os.makedirs(args.out, exist_ok=True)
    data_root = args.data or os.path.join(args.out, "digits_png")
    write_digits_tree(data_root)

    train_tf = T.Compose([T.RandomResizedCrop(SIZE, scale=(0.8, 1.0), ratio=(0.9, 1.1)),
                          T.RandomRotation(10), T.ToTensor(), T.Normalize(MEAN, STD)])
    val_tf = T.Compose([T.Resize(SIZE), T.CenterCrop(SIZE), T.ToTensor(), T.Normalize(MEAN, STD)])
    train_set = datasets.ImageFolder(os.path.join(data_root, "train"), transform=train_tf)
    val_set = datasets.ImageFolder(os.path.join(data_root, "val"), transform=val_tf)
    print(f"{train_set.__class__.__name__}: {len(train_set)} training / {len(val_set)} "
          f"validation images, classes {train_set.classes}")
    epochs = args.epochs
    if args.quick:
        train_set = Subset(train_set, range(0, len(train_set), len(train_set) // 128)[:128])
        epochs = 1
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              num_workers=args.workers)
    val_loader = DataLoader(val_set, batch_size=256, num_workers=args.workers)

    model, weights = build_model(args.weights)
    print(f"models.resnet18(weights={weights}), fc -> {model.fc}")
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    best_path = os.path.join(args.out, "resnet18_digits.pt")
    best_acc, start = -1.0, time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        running, seen = 0.0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch}/{epochs}", leave=False,
                   disable=args.no_progress)
        for x, y in bar:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * y.numel()
            seen += y.numel()
            bar.set_postfix(loss=f"{running / seen:.3f}")
        acc = evaluate(model, val_loader)
        marker = ""
        if acc > best_acc:
            best_acc = acc
            torch.save(model.state_dict(), best_path)
            marker = "  (best, saved)"
        print(f"epoch {epoch}  train loss {running / seen:.4f}  val acc {100 * acc:.2f}%{marker}")
    model.load_state_dict(torch.load(best_path))
    grid_path = os.path.join(args.out, "predictions.png")
    grid_acc = save_prediction_grid(model, val_set, grid_path)
    print(f"best validation accuracy {100 * best_acc:.2f}% in {time.perf_counter() - start:.1f} s"
          f"; weights: {best_path}; predictions ({100 * grid_acc:.0f}% right): {grid_path}")
    assert torchvision.__version__
    return best_acc


if __name__ == "__main__":
    main()
