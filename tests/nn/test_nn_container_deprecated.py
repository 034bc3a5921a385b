"""nn.Container, torch's deprecated keyword-module holder."""
import pytest

import ember


def test_container_warns_and_holds_the_keyword_modules_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.warns(FutureWarning, match="nn.Container. is deprecated"):
        e = ember.nn.Container(a=ember.nn.Linear(2, 3), b=ember.nn.ReLU())
    with pytest.warns(FutureWarning, match="nn.Container. is deprecated"):
        t = torch.nn.Container(a=torch.nn.Linear(2, 3), b=torch.nn.ReLU())
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict()) == ["a.weight", "a.bias"]
    assert isinstance(e, ember.nn.Module)
