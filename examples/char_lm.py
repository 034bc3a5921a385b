"""A character-level language model (2-layer LSTM) trained on text that ships with Python.

The corpus is the source of Python's standard-library module ``textwrap`` (read with
``inspect.getsource``, so nothing is downloaded). The model reads 64 characters at a
time and learns to predict the next one; after each epoch it prints the loss and a
sample generated from a prompt.

    python examples/char_lm.py                 # ~1-2 minutes on 2 cores
    python examples/char_lm.py --epochs 2 --steps 50
"""
import argparse
import inspect
import textwrap
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F


class CharLSTM(nn.Module):
    def __init__(self, vocab, embed=64, hidden=128, layers=2, dropout=0.1):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True, dropout=dropout)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


def load_corpus():
    text = inspect.getsource(textwrap)
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.int64)
    return text, chars, stoi, data


def batches(data, seq_len, batch_size, steps, generator):
    """Random windows of ``seq_len + 1`` characters: inputs and next-character targets."""
    n = data.numel() - seq_len - 1
    offsets = torch.arange(seq_len + 1)
    for _ in range(steps):
        starts = torch.randint(0, n, (batch_size,), generator=generator)
        window = data[starts.unsqueeze(1) + offsets]
        yield window[:, :-1], window[:, 1:]


@torch.no_grad()
def sample(model, stoi, chars, prompt, length=200, temperature=0.8, generator=None):
    model.eval()
    x = torch.tensor([[stoi[c] for c in prompt]])
    logits, state = model(x)
    out = list(prompt)
    for _ in range(length):
        probs = F.softmax(logits[0, -1] / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator).item()
        out.append(chars[nxt])
        logits, state = model(torch.tensor([[nxt]]), state)
    model.train()
    return "".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=60, help="batches per epoch")
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    text, chars, stoi, data = load_corpus()
    print(f"corpus: textwrap.py, {len(text)} characters, {len(chars)} distinct")
    model = CharLSTM(len(chars))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    losses = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for x, y in batches(data, args.seq_len, args.batch_size, args.steps, gen):
            logits, _ = model(x)
            loss = F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item()
        losses.append(total / args.steps)
        print(f"epoch {epoch}  loss {losses[-1]:.3f}  ({time.perf_counter() - start:.0f} s)")
        print(textwrap.indent(sample(model, stoi, chars, "def ", 160, generator=gen), "    | "))
    return losses


if __name__ == "__main__":
    main()
