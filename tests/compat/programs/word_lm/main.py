"""Train a word-level language model with truncated BPTT, save the whole model with
torch.save and load it back under torch.serialization.safe_globals."""
import argparse
import math

import torch
import torch.nn as nn

import data
from model import PositionalEncoding, RNNModel, TransformerModel

parser = argparse.ArgumentParser()
parser.add_argument("--data", default="./corpus")
parser.add_argument("--model", default="LSTM")
parser.add_argument("--emsize", type=int, default=32)
parser.add_argument("--nhid", type=int, default=32)
parser.add_argument("--nlayers", type=int, default=2)
parser.add_argument("--lr", type=float, default=20)
parser.add_argument("--clip", type=float, default=0.25)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch_size", type=int, default=8)
parser.add_argument("--bptt", type=int, default=12)
parser.add_argument("--dropout", type=float, default=0.1)
parser.add_argument("--tied", action="store_true")
parser.add_argument("--seed", type=int, default=1111)
parser.add_argument("--nhead", type=int, default=2)
parser.add_argument("--save", default="model.pt")
parser.add_argument("--accel", action="store_true")
args = parser.parse_args()
torch.manual_seed(args.seed)
device = torch.accelerator.current_accelerator() if args.accel and \
    torch.accelerator.is_available() else torch.device("cpu")
corpus = data.Corpus(args.data)


def batchify(d, bsz):
    nbatch = d.size(0) // bsz
    return d.narrow(0, 0, nbatch * bsz).view(bsz, -1).t().contiguous().to(device)


train_data = batchify(corpus.train, args.batch_size)
val_data = batchify(corpus.valid, 4)
test_data = batchify(corpus.test, 4)
ntokens = len(corpus.dictionary)
if args.model == "Transformer":
    model = TransformerModel(ntokens, args.emsize, args.nhead, args.nhid, args.nlayers,
                             args.dropout).to(device)
else:
    model = RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout,
                     args.tied).to(device)
criterion = nn.NLLLoss()


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i):
    seq_len = min(args.bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].view(-1)


def evaluate(source, bsz):
    model.eval()
    total = 0.0
    if args.model != "Transformer":
        hidden = model.init_hidden(bsz)
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, args.bptt):
            d, targets = get_batch(source, i)
            if args.model == "Transformer":
                output = model(d).view(-1, ntokens)
            else:
                output, hidden = model(d, hidden)
                hidden = repackage_hidden(hidden)
            total += len(d) * criterion(output, targets).item()
    return total / (len(source) - 1)


def train(lr):
    model.train()
    if args.model != "Transformer":
        hidden = model.init_hidden(args.batch_size)
    for i in range(0, train_data.size(0) - 1, args.bptt):
        d, targets = get_batch(train_data, i)
        model.zero_grad()
        if args.model == "Transformer":
            output = model(d).view(-1, ntokens)
        else:
            hidden = repackage_hidden(hidden)
            output, hidden = model(d, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)


lr = args.lr
best = None
for _epoch in range(1, args.epochs + 1):
    train(lr)
    val_loss = evaluate(val_data, 4)
    print(f"LOSS {val_loss:.4f}")
    if best is None or val_loss < best:
        with open(args.save, "wb") as f:
            torch.save(model, f)
        best = val_loss
    else:
        lr /= 4.0

with open(args.save, "rb") as f:
    if args.model == "Transformer":
        allowed = [PositionalEncoding, TransformerModel, torch.nn.functional.relu,
                   torch.nn.modules.activation.MultiheadAttention,
                   torch.nn.modules.container.ModuleList, torch.nn.modules.dropout.Dropout,
                   torch.nn.modules.linear.Linear,
                   torch.nn.modules.linear.NonDynamicallyQuantizableLinear,
                   torch.nn.modules.normalization.LayerNorm, torch.nn.modules.sparse.Embedding,
                   torch.nn.modules.transformer.TransformerEncoder,
                   torch.nn.modules.transformer.TransformerEncoderLayer]
    else:
        allowed = [RNNModel, torch.nn.modules.dropout.Dropout, torch.nn.modules.linear.Linear,
                   torch.nn.modules.rnn.GRU, torch.nn.modules.rnn.LSTM, torch.nn.modules.rnn.RNN,
                   torch.nn.modules.sparse.Embedding]
    with torch.serialization.safe_globals(allowed):
        model = torch.load(f)
    if args.model != "Transformer":
        model.rnn.flatten_parameters()
test_loss = evaluate(test_data, 4)
print(f"test loss {test_loss:.4f} ppl {math.exp(test_loss):.2f}")
