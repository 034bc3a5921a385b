"""The public surface is reviewable in diffs: ``dir(ember)``, ``dir(ember.Tensor)``,
``dir(ember.nn)`` and ``dir(ember.nn.functional)`` must equal the committed lists in
tests/surface/*_names.txt. After adding names on purpose, regenerate them with
``python -m tests.surface.update`` and commit the diff."""
import pytest

from surface_names import SURFACES, collect, diff


@pytest.fixture(scope="module")
def current():
    return collect()


@pytest.mark.parametrize("surface", SURFACES)
def test_surface_matches_committed_list(current, surface):
    added, removed = diff(surface, current[surface])
    lines = [f"+ {n}" for n in added] + [f"- {n}" for n in removed]
    assert not lines, (f"{SURFACES[surface][0]} changed against tests/surface/{surface}_names.txt "
                       f"({len(added)} added, {len(removed)} removed); if intended, run "
                       "`python -m tests.surface.update` and commit:\n" + "\n".join(lines))


def test_lazy_submodules_are_names(current):
    import ember
    assert set(ember._LAZY_SUBMODULES) <= set(current["ember"])


def test_report_torch_names_ember_lacks(current, capsys):
    """Reports (never fails on) how many of torch's public names ember does not have yet."""
    pytest.importorskip("torch")
    theirs = collect("torch")
    lines = []
    for surface, names in current.items():
        missing = sorted(set(theirs[surface]) - set(names))
        lines.append(f"{SURFACES[surface][1]}: ember lacks {len(missing)} of "
                     f"{len(theirs[surface])} public names")
    with capsys.disabled():
        print("\nsurface vs torch: " + "; ".join(lines))
    assert lines
