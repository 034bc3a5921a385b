"""Fit a degree-4 polynomial with one Linear layer and manual SGD (smooth L1 loss)."""
import argparse

import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--max-batches", type=int, default=300)
args = parser.parse_args()
torch.manual_seed(0)
DEGREE = 4
w_true = torch.randn(DEGREE, 1) * 5
b_true = torch.randn(1) * 5


def features(x):
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, DEGREE + 1)], 1)


def batch(n=32):
    x = features(torch.randn(n))
    return x, x.mm(w_true) + b_true.item()


model = torch.nn.Linear(DEGREE, 1)
for step in range(1, args.max_batches + 1):
    bx, by = batch()
    model.zero_grad()
    out = F.smooth_l1_loss(model(bx), by)
    loss = out.item()
    out.backward()
    for p in model.parameters():
        p.data.add_(-0.1 * p.grad)
    if step % 50 == 0 or step == 1:
        print(f"LOSS {loss:.6f}")
    if loss < 1e-3:
        break
print("learned", " ".join(f"{w:+.2f}" for w in model.weight.view(-1)), f"{model.bias[0]:+.2f}")
