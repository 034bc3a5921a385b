"""ember's main job: train a small CNN on scikit-learn's handwritten digits.

A complete PyTorch-style training program with only the import changed: 8x8 digit
images (sklearn.datasets.load_digits, 1797 samples, 10 classes) split into training and
validation sets, a DataLoader, a small CNN, AdamW with a cosine learning-rate schedule,
gradient clipping, a tqdm progress bar per epoch, validation accuracy per epoch, the best
weights saved with ember.save, and a PNG plot of the loss and accuracy curves.

    pip install -e '.[examples]'
    python examples/train_digits.py            # about 15 s on 2 cores, >= 95% accuracy
    python examples/train_digits.py --epochs 3 --out /tmp/digits
    python examples/train_digits.py --tensorboard runs/digits   # then: tensorboard --logdir runs
"""
import argparse
import os
import time


import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset, random_split


class DigitsCNN(nn.Module):
    """conv(1->16) -> conv(16->32) -> pool -> conv(32->64) -> pool -> MLP head."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),                       # 8x8 -> 4x4
            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),                       # 4x4 -> 2x2
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 2 * 2, 128),
            nn.ReLU(inplace=True),
            nn.Dropout(0.25),
            nn.Linear(128, num_classes),
        )

    def forward(self, x):
        return self.head(self.features(x))


def load_data(val_fraction, generator):
    from sklearn.datasets import load_digits
    digits = load_digits()
    images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)  # N,1,8,8
    labels = torch.tensor(digits.target, dtype=torch.int64)
    dataset = TensorDataset(images, labels)
    n_val = int(len(dataset) * val_fraction)
    return random_split(dataset, [len(dataset) - n_val, n_val], generator=generator)


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    loss_sum = 0.0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(dim=1) == y).sum().item()
            total += y.numel()
    return loss_sum / total, correct / total


def plot_curves(history, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, history["train_loss"], label="train")
    ax1.plot(epochs, history["val_loss"], label="validation")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy loss")
    ax1.legend()
    ax2.plot(epochs, [100 * a for a in history["val_acc"]], color="tab:green")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("validation accuracy (%)")
    fig.suptitle("ember: small CNN on sklearn digits")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-2)
    parser.add_argument("--max-grad-norm", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    parser.add_argument("--no-progress", action="store_true", help="disable the tqdm bars")
    parser.add_argument("--tensorboard", metavar="DIR", default=None,
                        help="log losses, accuracy, lr, weight histograms and sample images "
                             "for TensorBoard to DIR (needs the tensorboard package)")
    args = parser.parse_args(argv)

    from tqdm import tqdm
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    train_set, val_set = load_data(0.2, generator)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              generator=generator)
    val_loader = DataLoader(val_set, batch_size=256)

    model = DigitsCNN()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{len(train_set)} training / {len(val_set)} validation images, "
          f"{n_params} parameters")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr,
                                  weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=args.epochs * len(train_loader))

    writer = None
    if args.tensorboard:
        from ember.utils.tensorboard import SummaryWriter
        writer = SummaryWriter(args.tensorboard)
        x0, _ = next(iter(val_loader))
        writer.add_images("validation/samples", x0[:16], 0)
        writer.add_text("config", " ".join(f"{k}={v}" for k, v in vars(args).items()), 0)

    best_path = os.path.join(args.out, "digits_cnn_best.pt")
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    best_acc = 0.0
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        running, seen = 0.0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch:2d}/{args.epochs}", leave=False,
                   disable=args.no_progress)
        for batch_index, (x, y) in enumerate(bar):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
            optimizer.step()
            scheduler.step()
            running += loss.item() * y.numel()
            seen += y.numel()
            if writer is not None:
                step = (epoch - 1) * len(train_loader) + batch_index
                writer.add_scalar("train/loss", loss.item(), step)
                writer.add_scalar("train/lr", scheduler.get_last_lr()[0], step)
            bar.set_postfix(loss=f"{running / seen:.4f}", lr=f"{scheduler.get_last_lr()[0]:.2e}")
        val_loss, val_acc = evaluate(model, val_loader)
        history["train_loss"].append(running / seen)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
        if writer is not None:
            writer.add_scalar("validation/loss", val_loss, epoch)
            writer.add_scalar("validation/accuracy", val_acc, epoch)
            for name, p in model.named_parameters():
                writer.add_histogram(f"weights/{name}", p, epoch)
        marker = ""
        if val_acc > best_acc:
            best_acc = val_acc
            torch.save(model.state_dict(), best_path)
            marker = "  (best, saved)"
        print(f"epoch {epoch:2d}  train loss {running / seen:.4f}  val loss {val_loss:.4f}  "
              f"val acc {100 * val_acc:.2f}%{marker}")
    elapsed = time.perf_counter() - start
    if writer is not None:
        writer.add_hparams({"lr": args.lr, "batch_size": args.batch_size,
                            "weight_decay": args.weight_decay},
                           {"hparam/best_val_accuracy": best_acc}, run_name="hparams")
        writer.close()

    model.load_state_dict(torch.load(best_path))
    _, acc = evaluate(model, val_loader)
    plot_path = os.path.join(args.out, "digits_curves.png")
    plot_curves(history, plot_path)
    print(f"best validation accuracy {100 * acc:.2f}% in {elapsed:.1f} s; weights: {best_path}; "
          f"curves: {plot_path}")
    return acc


if __name__ == "__main__":
    main()
