"""Two stacked LSTMCells in float64 trained with LBFGS to continue sine waves."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


class Sequence(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input, future=0):
        outputs = []
        n = input.size(0)
        h1 = torch.zeros(n, self.hidden, dtype=torch.double)
        c1 = torch.zeros(n, self.hidden, dtype=torch.double)
        h2 = torch.zeros(n, self.hidden, dtype=torch.double)
        c2 = torch.zeros(n, self.hidden, dtype=torch.double)
        for x_t in input.split(1, dim=1):
            h1, c1 = self.lstm1(x_t, (h1, c1))
            h2, c2 = self.lstm2(h1, (h2, c2))
            out = self.linear(h2)
            outputs += [out]
        for _ in range(future):
            h1, c1 = self.lstm1(out, (h1, c1))
            h2, c2 = self.lstm2(h1, (h2, c2))
            out = self.linear(h2)
            outputs += [out]
        return torch.cat(outputs, dim=1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=3)
    opt = parser.parse_args()
    np.random.seed(0)
    torch.manual_seed(0)
    data = torch.load("traindata.pt")
    inp = torch.from_numpy(data[3:, :-1])
    target = torch.from_numpy(data[3:, 1:])
    test_inp = torch.from_numpy(data[:3, :-1])
    test_target = torch.from_numpy(data[:3, 1:])
    seq = Sequence()
    seq.double()
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8, max_iter=6)
    for _i in range(opt.steps):
        def closure():
            optimizer.zero_grad()
            loss = criterion(seq(inp), target)
            loss.backward()
            return loss
        loss = optimizer.step(closure)
        print(f"LOSS {loss.item():.6f}")
        with torch.no_grad():
            future = 20
            pred = seq(test_inp, future=future)
            print("test loss:", criterion(pred[:, :-future], test_target).item())
            y = pred.detach().numpy()
    print("prediction shape", y.shape)
