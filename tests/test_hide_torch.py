"""EMBER_TEST_HIDE_TORCH=1 (tests/conftest.py) makes the reference libraries unimportable."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_hidden_torch_is_unimportable_and_parity_tests_skip(tmp_path):
    test = tmp_path / "test_probe.py"
    test.write_text(
        "import importlib, pytest, sys\n"
        "def test_probe():\n"
        "    for name in ('torch', 'torchvision', 'torch.nn', 'captum'):\n"
        "        with pytest.raises(ImportError, match='EMBER_TEST_HIDE_TORCH'):\n"
        "            importlib.import_module(name)\n"
        "    assert not any(m.split('.')[0] == 'torch' for m in sys.modules)\n"
        "    import helpers\n"
        "    assert helpers.torch is None\n"
        "def test_skips():\n"
        "    pytest.importorskip('torch')\n")
    # tests/conftest.py loaded as a plugin, as it is for the suite
    env = dict(os.environ, EMBER_TEST_HIDE_TORCH="1",
               PYTHONPATH=os.pathsep.join([ROOT, os.path.join(ROOT, "tests")]))
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-p", "conftest", str(test)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed, 1 skipped" in out.stdout
