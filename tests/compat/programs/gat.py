"""A two-layer graph attention network on a Cora-format graph (cora.content, cora.cites):
multi-head attention scores masked by the adjacency matrix, which is built as a sparse
COO tensor and made dense by adding the identity, as the example does."""
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import Adam


class AttentionLayer(nn.Module):
    def __init__(self, n_in, n_out, heads, concat=False, dropout=0.4, slope=0.2):
        super().__init__()
        self.heads, self.concat, self.dropout = heads, concat, dropout
        self.hidden = n_out // heads if concat else n_out
        self.n_out = n_out
        self.W = nn.Parameter(torch.empty(size=(n_in, self.hidden * heads)))
        self.a = nn.Parameter(torch.empty(size=(heads, 2 * self.hidden, 1)))
        self.act = nn.LeakyReLU(slope)
        nn.init.xavier_normal_(self.W)
        nn.init.xavier_normal_(self.a)

    def forward(self, h, adj):
        n = h.shape[0]
        z = F.dropout(torch.mm(h, self.W), self.dropout, training=self.training)
        z = z.view(n, self.heads, self.hidden).permute(1, 0, 2)
        src = torch.matmul(z, self.a[:, :self.hidden, :])
        dst = torch.matmul(z, self.a[:, self.hidden:, :])
        e = self.act(src + dst.mT)
        e = torch.where(adj > 0, e, -9e16 * torch.ones_like(e))
        att = F.dropout(F.softmax(e, dim=-1), self.dropout, training=self.training)
        out = torch.matmul(att, z)
        if self.concat:
            return out.permute(1, 0, 2).contiguous().view(n, self.n_out)
        return out.mean(dim=0)


class GAT(nn.Module):
    def __init__(self, n_in, hidden, heads, classes, concat=False, dropout=0.4):
        super().__init__()
        self.gat1 = AttentionLayer(n_in, hidden, heads, concat, dropout)
        self.gat2 = AttentionLayer(hidden, classes, 1, False, dropout)

    def forward(self, x, adj):
        return F.log_softmax(self.gat2(F.elu(self.gat1(x, adj)), adj), dim=1)


def load_cora(path):
    content = np.genfromtxt(os.path.join(path, "cora.content"), dtype=np.dtype(str))
    cites = np.genfromtxt(os.path.join(path, "cora.cites"), dtype=np.int32)
    features = torch.FloatTensor(content[:, 1:-1].astype(np.int32))
    scale = 1 / torch.sum(features, dim=1)
    scale[scale == float("inf")] = 0
    features = torch.diag(scale).to_sparse() @ features
    _, labels = np.unique(content[:, -1], return_inverse=True)
    labels = torch.LongTensor(labels)
    position = {j: i for i, j in enumerate(content[:, 0].astype(np.int32))}
    edges = np.array([[position[a], position[b]] for a, b in cites], dtype=np.int32)
    V, E = len(position), edges.shape[0]
    adj = torch.sparse_coo_tensor(edges.T, torch.ones(E), (V, V), dtype=torch.int64)
    return features, labels, torch.eye(V) + adj


def evaluate(model, criterion, inputs, target, mask):
    model.eval()
    with torch.no_grad():
        out = model(*inputs)[mask]
        acc = (out.argmax(dim=1) == target[mask]).float().sum() / len(target[mask])
        return criterion(out, target[mask]).item(), acc.item()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.005)
    parser.add_argument("--l2", type=float, default=5e-4)
    parser.add_argument("--hidden-dim", type=int, default=16)
    parser.add_argument("--num-heads", type=int, default=4)
    parser.add_argument("--concat-heads", action="store_true")
    parser.add_argument("--no-accel", action="store_true")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    use_accel = not args.no_accel and torch.accelerator.is_available()
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")
    features, labels, adj = load_cora("./cora")
    features, labels, adj = features.to(device), labels.to(device), adj.to(device)
    idx = torch.randperm(len(labels)).to(device)
    idx_val, idx_train = idx[:30], idx[30:]
    model = GAT(features.shape[1], args.hidden_dim, args.num_heads, labels.max().item() + 1,
                args.concat_heads, 0.3).to(device)
    optimizer = Adam(model.parameters(), lr=args.lr, weight_decay=args.l2)
    criterion = nn.NLLLoss()
    for epoch in range(args.epochs):
        model.train()
        optimizer.zero_grad()
        loss = criterion(model(features, adj)[idx_train], labels[idx_train])
        loss.backward()
        optimizer.step()
        if epoch % 10 == 0 or epoch == args.epochs - 1:
            train_loss, _ = evaluate(model, criterion, (features, adj), labels, idx_train)
            print(f"LOSS {train_loss:.4f}")
    print(f"val accuracy {evaluate(model, criterion, (features, adj), labels, idx_val)[1]:.4f}")
