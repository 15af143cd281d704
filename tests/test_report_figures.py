"""The figure registry and paper 004's Fig. 3 (hazard-rate map)."""

from __future__ import annotations

import pytest
import sympy

from exactscreen.report.figures import base as figures
from exactscreen.exceptions import InputError


def test_hazard_map_fixed_point_is_exactly_three_minus_root_five_over_two():
    h = figures.hazard_map_fixed_point()
    assert sympy.simplify(h - (3 - sympy.sqrt(5)) / 2) == 0
    assert sympy.simplify((sympy.sqrt(h) - h) / (1 - h) - h) == 0  # S(h*) = h*


def test_fig3_is_registered_for_swp_and_drawn_as_png(tmp_path):
    specs = {s.name: s for s in figures.registered_figures(["SWP"])}
    spec = specs["swp-fig3-hazard"]
    assert spec.claim == "SWP-LEM2"
    drawn = {d.spec.name: d for d in figures.draw_figures(tmp_path, ["SWP"])}
    assert drawn["swp-fig3-hazard"].ok and drawn["swp-fig3-hazard"].path.read_bytes()[:4] == b"\x89PNG"
    assert figures.registered_figures(["PIS-NONE"]) == ()


def test_a_failing_figure_is_reported_not_raised(tmp_path):
    @figures.register_figure("toy-broken", "TOYFIG", "never drawn")
    def broken(path):
        raise ValueError("engine not ready")

    @figures.register_figure("toy-silent", "TOYFIG", "draws nothing")
    def silent(path):
        pass

    try:
        drawn = figures.draw_figures(tmp_path, ["TOYFIG"])
        assert [d.ok for d in drawn] == [False, False]
        assert drawn[0].error == "ValueError: engine not ready"
        assert "wrote no file" in drawn[1].error
    finally:
        figures._FIGURES.pop("toy-broken")
        figures._FIGURES.pop("toy-silent")


def test_figure_names_are_file_names_and_unique():
    with pytest.raises(InputError, match="lower-case letters"):
        figures.register_figure("Fig 1", "SWP", "x")
    with pytest.raises(InputError, match="already registered"):
        figures.register_figure("swp-fig3-hazard", "SWP", "x")(lambda path: None)


def test_a_figure_module_that_cannot_be_imported_is_listed_as_not_drawn(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "FIGURE_MODULES", ("exactscreen.no_such_figures",))
    drawn = figures.draw_figures(tmp_path, ["SWP"])
    assert not drawn[0].ok and drawn[1:] and all(d.ok for d in drawn[1:])
    assert drawn[0].error.startswith("cannot import exactscreen.no_such_figures: ModuleNotFoundError")


def test_pis_figures_are_drawn_from_the_shipped_example(tmp_path):
    drawn = {d.spec.name: d for d in figures.draw_figures(tmp_path, ["PIS"])}
    assert drawn["pis-fig1"].ok and drawn["pis-fig4"].ok, {n: d.error for n, d in drawn.items()}


def test_every_figure_names_registered_claims_it_is_shown_beside():
    from exactscreen.claims import builtin_registry

    registry = builtin_registry()
    for spec in figures.registered_figures():
        assert spec.claims and all(c in registry for c in spec.claims), spec
        assert all(c.startswith(spec.paper + "-") for c in spec.claims), spec
