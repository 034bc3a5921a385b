"""Corpus reading: words to ids, one LongTensor per split."""
import os

import torch


class Dictionary:
    def __init__(self):
        self.word2idx, self.idx2word = {}, []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


class Corpus:
    def __init__(self, path):
        self.dictionary = Dictionary()
        self.train = self.tokenize(os.path.join(path, "train.txt"))
        self.valid = self.tokenize(os.path.join(path, "valid.txt"))
        self.test = self.tokenize(os.path.join(path, "test.txt"))

    def tokenize(self, path):
        with open(path, encoding="utf8") as f:
            lines = [line.split() + ["<eos>"] for line in f]
        for words in lines:
            for w in words:
                self.dictionary.add_word(w)
        ids = [torch.tensor([self.dictionary.word2idx[w] for w in words]).type(torch.int64)
               for words in lines]
        return torch.cat(ids)
