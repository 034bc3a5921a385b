"""The per-process training loop and the evaluation of the Hogwild program."""
import torch
import torch.nn.functional as F
import torch.optim as optim


def train(rank, args, model, device, dataset, loader_kwargs):
    torch.manual_seed(args.seed + rank)
    loader = torch.utils.data.DataLoader(dataset, **loader_kwargs)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    model.train()
    for _ in range(args.epochs):
        for data, target in loader:
            optimizer.zero_grad()
            loss = F.nll_loss(model(data.to(device)), target.to(device))
            loss.backward()
            optimizer.step()


def test(args, model, device, dataset, loader_kwargs):
    torch.manual_seed(args.seed)
    loader = torch.utils.data.DataLoader(dataset, **loader_kwargs)
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data.to(device))
            total += F.nll_loss(output, target.to(device), reduction="sum").item()
            correct += output.max(1)[1].eq(target.to(device)).sum().item()
    print(f"LOSS {total / len(loader.dataset):.4f} accuracy {correct}/{len(loader.dataset)}")
