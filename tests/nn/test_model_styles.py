"""The model-building styles of the PyTorch tutorials, written once against ``lib.nn``
and run with ember and with torch on the same weights."""
import os
import sys

import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close, copy_state

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from bench.resnet18 import build as build_resnet18  # noqa: E402


def _focal_loss_module(lib):
    nn, F = lib.nn, lib.nn.functional

    class FocalLoss(nn.Module):
        """A custom loss module: cross-entropy down-weighted on easy examples."""

        def __init__(self, gamma=2.0):
            super().__init__()
            self.gamma = gamma

        def forward(self, logits, target):
            logp = F.log_softmax(logits, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
            return (-(1 - logp.exp()) ** self.gamma * logp).mean()
    return FocalLoss()


def _self_attention(lib):
    nn = lib.nn

    class SelfAttention(nn.Module):
        """Single-head self-attention from Linear, matmul and softmax."""

        def __init__(self, dim):
            super().__init__()
            self.qkv = nn.Linear(dim, 3 * dim)
            self.proj = nn.Linear(dim, dim)
            self.scale = dim ** -0.5

        def forward(self, x):
            q, k, v = self.qkv(x).chunk(3, dim=-1)
            att = (q @ k.transpose(-2, -1) * self.scale).softmax(dim=-1)
            return self.proj(att @ v)
    return SelfAttention(8)


def _module_dict_model(lib):
    nn = lib.nn

    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = nn.ModuleList([nn.Linear(6, 6) for _ in range(2)])
            self.heads = nn.ModuleDict({"a": nn.Linear(6, 2), "b": nn.Linear(6, 3)})

        def forward(self, x, head):
            for layer in self.trunk:
                x = layer(x).relu()
            return self.heads[head](x)
    return Heads()


@needs_torch
def test_resnet18_parameter_count_keys_and_outputs():
    m_e, m_t = build_resnet18(ember), build_resnet18(torch)
    n_e = sum(p.numel() for p in m_e.parameters())
    n_t = sum(p.numel() for p in m_t.parameters())
    assert n_e == n_t == 11173962
    assert list(m_e.state_dict()) == list(m_t.state_dict())
    copy_state(m_e, m_t)
    # float64: a 20-layer train-mode BatchNorm net amplifies float32 rounding in the input
    # gradient beyond any fixed tolerance, which would make a float32 check flaky.
    m_e.double()
    m_t.double()
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32))
    for train in (True, False):
        m_e.train(train)
        m_t.train(train)
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = m_e(xe), m_t(xt)
        assert_close(ye, yt, rtol=1e-7, atol=1e-9)
        ye.sum().backward()
        yt.sum().backward()
        assert_close(xe.grad, xt.grad, rtol=1e-6, atol=1e-9)
    assert_close(m_e.conv1.weight.grad, m_t.conv1.weight.grad, rtol=1e-6, atol=1e-8)
    assert_close(m_e.layers[0].bn1.running_var, m_t.layers[0].bn1.running_var, rtol=1e-4)


@needs_torch
def test_custom_focal_loss_module():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((8, 5)).astype(np.float32)
    target = rng.integers(0, 5, 8)
    le, lt = ember.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    ve = _focal_loss_module(ember)(le, ember.tensor(target))
    vt = _focal_loss_module(torch)(lt, torch.tensor(target))
    assert_close(ve, vt, rtol=1e-5, atol=1e-6)
    ve.backward()
    vt.backward()
    assert_close(le.grad, lt.grad, rtol=1e-4, atol=1e-6)


@needs_torch
def test_self_attention_from_linear_matmul_softmax():
    m_e, m_t = _self_attention(ember), _self_attention(torch)
    copy_state(m_e, m_t)
    x = np.random.default_rng(2).standard_normal((2, 5, 8)).astype(np.float32)
    ye, yt = m_e(ember.tensor(x)), m_t(torch.tensor(x))
    assert_close(ye, yt, rtol=1e-4, atol=1e-5)
    ye.pow(2).sum().backward()
    yt.pow(2).sum().backward()
    for (n, pe), (_, pt) in zip(m_e.named_parameters(), m_t.named_parameters()):
        assert_close(pe.grad, pt.grad, rtol=1e-4, atol=1e-5, msg=n)


@needs_torch
@pytest.mark.parametrize("head", ["a", "b"])
def test_module_list_and_dict_model(head):
    m_e, m_t = _module_dict_model(ember), _module_dict_model(torch)
    assert repr(m_e) == repr(m_t).replace("torch", "ember")
    copy_state(m_e, m_t)
    x = np.random.default_rng(3).standard_normal((4, 6)).astype(np.float32)
    assert_close(m_e(ember.tensor(x), head), m_t(torch.tensor(x), head), rtol=1e-5, atol=1e-6)
