"""The tutorial notebook (docs/tutorial.ipynb) runs from top to bottom in a fresh kernel, so it never rots:
no cell errors, every result shows as an HTML table, and no output is solver noise (the HiGHS banner)
or a raw ``Fraction(...)``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "tutorial.ipynb"
KERNEL = "exactscreen-tutorial-test"


def _outputs_text(cell) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if "text" in o:
            out.append(o["text"] if isinstance(o["text"], str) else "".join(o["text"]))
        for value in o.get("data", {}).values():
            out.append(value if isinstance(value, str) else "".join(value) if isinstance(value, list) else "")
        if o.get("output_type") == "error":
            out.append("\n".join(o.get("traceback", [])))
    return out


def test_tutorial_notebook_is_committed_without_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)


def test_tutorial_notebook_runs_cleanly_and_shows_html_tables(tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed: pip install 'exactscreen[test]'")
    import nbformat

    # a kernel running this very interpreter (the one exactscreen is installed in), whatever
    # kernels the machine has registered
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "exactscreen test", "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name=KERNEL,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first failing cell

    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    texts = [t for c in code for t in _outputs_text(c)]
    assert texts
    for t in texts:
        assert "Running HiGHS" not in t and "HiGHS" not in t.split("\n")[0], t[:200]
        assert "Fraction(" not in t, t[:300]
    assert not any(o.output_type == "stream" and o.name == "stderr" for c in code for o in c.outputs)
    html = [o["data"]["text/html"] for c in code for o in c.outputs if "text/html" in o.get("data", {})]
    assert len(html) >= 10
    shown = "\n".join(html)
    for piece in ("Optimal face", "Pareto improving", "q^BD1", "Partition mechanism", "Entropy bound",
                  '3/4</span> <small class="es-decimal">(0.75)</small>'):
        assert piece in shown, piece
