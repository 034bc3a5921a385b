"""A two-layer graph convolutional network on a Cora-format graph (cora.content,
cora.cites), with the sparse normalised adjacency matrix of the example."""
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import Adam


class GraphConv(nn.Module):
    def __init__(self, input_dim, output_dim, use_bias=False):
        super().__init__()
        self.kernel = nn.Parameter(torch.Tensor(input_dim, output_dim))
        nn.init.xavier_normal_(self.kernel)
        self.bias = None
        if use_bias:
            self.bias = nn.Parameter(torch.Tensor(output_dim))
            nn.init.zeros_(self.bias)

    def forward(self, x, adj):
        out = torch.spmm(adj, torch.mm(x, self.kernel))
        return out if self.bias is None else out + self.bias


class GCN(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, use_bias=True, dropout_p=0.1):
        super().__init__()
        self.gc1 = GraphConv(input_dim, hidden_dim, use_bias=use_bias)
        self.gc2 = GraphConv(hidden_dim, output_dim, use_bias=use_bias)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, x, adj):
        x = self.dropout(F.relu(self.gc1(x, adj)))
        return F.log_softmax(self.gc2(x, adj), dim=1)


def load_cora(path):
    content = np.genfromtxt(os.path.join(path, "cora.content"), dtype=np.dtype(str))
    cites = np.genfromtxt(os.path.join(path, "cora.cites"), dtype=np.int32)
    features = torch.FloatTensor(content[:, 1:-1].astype(np.int32))
    scale = 1 / torch.sum(features, dim=1)
    scale[scale == float("inf")] = 0
    features = torch.diag(scale).to_sparse() @ features
    _, labels = np.unique(content[:, -1], return_inverse=True)
    labels = torch.LongTensor(labels)
    idx = content[:, 0].astype(np.int32)
    idx_map = {j: i for i, j in enumerate(idx)}
    edges = np.array([[idx_map[a], idx_map[b]] for a, b in cites], dtype=np.int32)
    V, E = len(idx), edges.shape[0]
    adj = torch.sparse_coo_tensor(edges.T, torch.ones(E), (V, V), dtype=torch.int64)
    adj = torch.eye(V) + adj
    degree = torch.sqrt(1 / torch.sum(adj, dim=1))
    degree[degree == float("inf")] = 0
    degree = torch.diag(degree).to_sparse()
    adj = degree @ adj @ degree
    return features.to_sparse(), labels, adj.to_sparse()


def evaluate(model, criterion, inputs, target, mask):
    model.eval()
    with torch.no_grad():
        out = model(*inputs)[mask]
        return criterion(out, target[mask]).item()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--l2", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() \
        else torch.device("cpu")
    features, labels, adj = load_cora("./cora")
    idx = torch.randperm(len(labels))
    idx_val, idx_train = idx[:40], idx[40:]
    model = GCN(features.shape[1], 16, labels.max().item() + 1, True, 0.5).to(device)
    optimizer = Adam(model.parameters(), lr=args.lr, weight_decay=args.l2)
    criterion = nn.NLLLoss()
    for epoch in range(args.epochs):
        model.train()
        optimizer.zero_grad()
        loss = criterion(model(features, adj)[idx_train], labels[idx_train])
        loss.backward()
        optimizer.step()
        if epoch % 10 == 0 or epoch == args.epochs - 1:
            print(f"LOSS {evaluate(model, criterion, (features, adj), labels, idx_train):.4f}")
