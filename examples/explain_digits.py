"""Explain the digits model's predictions with integrated gradients.

Trains the main job's CNN (examples/train_digits.py) for a few epochs, or loads the
weights it saved, then computes integrated gradients (Sundararajan et al., 2017) of the
predicted class for a few validation digits against an all-black baseline:

    attribution = (x - baseline) * mean over alpha of d logit(baseline + alpha (x - baseline)) / dx

and saves each digit next to its attribution heat map as one PNG. The attributions of a
digit add up to logit(x) - logit(baseline) (the completeness axiom); the printed
convergence delta says how close the path integral came. Captum's IntegratedGradients
computes the same thing and runs on ember unmodified (see tests/compat).

    python examples/explain_digits.py                       # trains 3 epochs first
    python examples/explain_digits.py --weights examples/out/digits_cnn_best.pt
"""
import argparse
import os

import ember as torch
from ember.utils.data import DataLoader

import train_digits


def integrated_gradients(model, x, target, baseline=None, steps=64):
    """Attributions of ``model(x)[:, target]`` to each input pixel (trapezoidal rule
    over ``steps`` points of the straight path), and the completeness gap."""
    if baseline is None:
        baseline = torch.zeros_like(x)
    alphas = torch.linspace(0.0, 1.0, steps)
    weights = torch.full((steps,), 1.0 / (steps - 1))
    weights[0] = weights[-1] = 0.5 / (steps - 1)
    total = torch.zeros_like(x)
    rows = torch.arange(x.shape[0])
    for alpha, w in zip(alphas, weights):
        point = (baseline + alpha * (x - baseline)).requires_grad_(True)
        score = model(point)[rows, target].sum()
        (grad,) = torch.autograd.grad(score, point)
        total += w * grad
    attributions = (x - baseline) * total
    with torch.no_grad():
        gap = model(x)[rows, target] - model(baseline)[rows, target]
    delta = attributions.sum(dim=(1, 2, 3)) - gap
    return attributions, delta


def save_heatmaps(images, attributions, predictions, labels, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    n = images.shape[0]
    fig, axes = plt.subplots(2, n, figsize=(1.6 * n, 3.4))
    for i in range(n):
        axes[0, i].imshow(images[i, 0].numpy(), cmap="gray")
        axes[0, i].set_title(f"label {labels[i].item()}\npred {predictions[i].item()}",
                             fontsize=8)
        attr = attributions[i, 0].numpy()
        bound = max(abs(attr).max(), 1e-12)
        axes[1, i].imshow(attr, cmap="bwr", vmin=-bound, vmax=bound)
        for ax in axes[:, i]:
            ax.axis("off")
    axes[1, 0].set_title("integrated gradients", fontsize=8, loc="left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=None, help="a state_dict saved by train_digits.py")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs without --weights")
    parser.add_argument("--count", type=int, default=8, help="digits to explain")
    parser.add_argument("--steps", type=int, default=64, help="integration steps")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    if args.weights is None:
        train_digits.main(["--epochs", str(args.epochs), "--out", args.out, "--no-progress"])
        args.weights = os.path.join(args.out, "digits_cnn_best.pt")
    model = train_digits.DigitsCNN()
    model.load_state_dict(torch.load(args.weights))
    model.eval()

    generator = torch.Generator().manual_seed(0)
    _, val_set = train_digits.load_data(0.2, generator)
    images, labels = next(iter(DataLoader(val_set, batch_size=args.count)))
    with torch.no_grad():
        predictions = model(images).argmax(dim=1)
    attributions, delta = integrated_gradients(model, images, predictions, steps=args.steps)
    path = os.path.join(args.out, "digits_integrated_gradients.png")
    save_heatmaps(images, attributions, predictions, labels, path)
    print(f"explained {args.count} digits; largest convergence delta "
          f"{delta.abs().max().item():.2e}; heat maps: {path}")
    return attributions, delta


if __name__ == "__main__":
    main()
