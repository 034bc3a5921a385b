"""The ImageNet trainer's --dummy path: FakeData, a torchvision model by name, SGD with
momentum and weight decay, StepLR, cudnn flags, top-1 accuracy, a checkpoint dict."""
import argparse
import time

import torch
import torch.backends.cudnn as cudnn
import torch.nn as nn
import torch.nn.parallel
import torch.optim
import torch.utils.data
import torchvision.datasets as datasets
import torchvision.models as models
import torchvision.transforms as transforms
from torch.optim.lr_scheduler import StepLR

model_names = sorted(name for name in models.__dict__
                     if name.islower() and not name.startswith("__")
                     and callable(models.__dict__[name]))

parser = argparse.ArgumentParser()
parser.add_argument("-a", "--arch", default="resnet18", choices=model_names)
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("-b", "--batch-size", type=int, default=4)
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--steps", type=int, default=4)
parser.add_argument("--size", type=int, default=64)
parser.add_argument("--dummy", action="store_true")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
torch.manual_seed(args.seed)
cudnn.deterministic = True
cudnn.benchmark = False
device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() \
    else torch.device("cpu")
model = models.__dict__[args.arch](num_classes=10).to(device)
criterion = nn.CrossEntropyLoss().to(device)
optimizer = torch.optim.SGD(model.parameters(), args.lr, momentum=0.9, weight_decay=1e-4)
scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
n = args.batch_size * args.steps
train_dataset = datasets.FakeData(n, (3, args.size, args.size), 10, transforms.ToTensor(),
                                  random_offset=0)
train_loader = torch.utils.data.DataLoader(train_dataset, batch_size=args.batch_size,
                                           shuffle=False, num_workers=0)
start = time.time()
for epoch in range(args.epochs):
    model.train()
    for images, target in train_loader:
        images, target = images.to(device, non_blocking=True), target.to(device, non_blocking=True)
        # the same batch twice: the second loss is lower when training works
        for _ in range(2):
            output = model(images)
            loss = criterion(output, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            print(f"LOSS {loss.item():.4f}")
    scheduler.step()
    acc1 = (output.argmax(1) == target).float().mean().item() * 100
    state = {"epoch": epoch + 1, "arch": args.arch, "state_dict": model.state_dict(),
             "best_acc1": acc1, "optimizer": optimizer.state_dict(),
             "scheduler": scheduler.state_dict()}
    torch.save(state, "checkpoint.pth.tar")
print(f"done in {time.time() - start:.1f}s")
