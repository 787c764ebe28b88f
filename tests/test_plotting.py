"""plotting: every function returns its Axes with the expected artists, draws where it is told,
renders, leaves rcParams alone, never shows; bad input is refused with a message that says why.

Run headless (matplotlib then picks the Agg backend; MPLBACKEND=Agg makes sure). The surfaces
are small stand-ins with the attributes ``optlearn.surfaces`` gives its classes, so
these tests depend on nothing but the module under test (and History and a scheduler).
"""

import io
import re
import sys

import matplotlib as mpl

mpl.use("Agg")  # headless, and resolved now: an auto backend would change rcParams mid-test
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import to_hex
from matplotlib.contour import ContourSet

from optlearn import plotting as P
from optlearn.optim import SGD
from optlearn.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, ReduceLROnPlateau
from optlearn.train import History

OKABE_ITO = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442",
             "#000000"]  # fmt: skip


# --- stand-ins and fixtures ---------------------------------------------------------------------
class Bowl:
    """f(x, y) = x^2 + 4 y^2 - 1: a quadratic bowl whose minimum value is negative."""

    name = "bowl"
    window = ((-2.0, 2.0), (-1.5, 1.5))
    minima = np.array([[0.0, 0.0]])
    saddles = np.empty((0, 2))
    log_levels = False

    def value(self, xy):
        return xy[..., 0] ** 2 + 4 * xy[..., 1] ** 2 - 1.0


class Rosenbrock:
    """f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, with a made-up saddle point to mark."""

    name = "Rosenbrock"
    window = ((-2.0, 2.0), (-1.0, 3.0))
    minima = np.array([[1.0, 1.0]])
    saddles = np.array([[-1.0, 1.0]])
    log_levels = True

    def value(self, xy):
        x, y = xy[..., 0], xy[..., 1]
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def straight(start, end=(0.0, 0.0), steps=20):
    t = np.linspace(0, 1, steps + 1)[:, None]
    return (1 - t) * np.asarray(start) + t * np.asarray(end)


@pytest.fixture(autouse=True)
def _hygiene(monkeypatch):
    """No test may show a figure or change rcParams; every figure is closed afterwards."""

    def no_show(*args, **kwargs):
        raise AssertionError("plt.show was called")

    monkeypatch.setattr(plt, "show", no_show)
    monkeypatch.setattr(mpl.figure.Figure, "show", no_show)
    before = mpl.rcParams.copy()
    yield
    after = mpl.rcParams.copy()
    changed = {k for k in before if before[k] != after[k]}
    plt.close("all")
    assert not changed, f"rcParams changed: {sorted(changed)}"


def png(ax) -> bytes:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=40)
    return buf.getvalue()


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def contour_sets(ax) -> list[ContourSet]:
    return [c for c in ax.collections if isinstance(c, ContourSet)]


# --- every function: returns its Axes, draws into a given ax, renders --------------------------
HISTORY = History(epoch=[1, 2, 3], train_loss=[0.9, 0.5, 0.4], val_loss=[1.0, 0.7, 0.6],
                  train_accuracy=[0.6, 0.8, 0.9], val_accuracy=[0.5, 0.7, 0.8],
                  lr=[0.1, 0.01, 0.0005], grad_norm=[3.0, 2.0, 1.0],
                  grad_norm_max=[5.0, 3.0, 1.5],
                  layer_grad_norms={"layers.0": [1.0, 0.5, 0.2], "layers.1": [2.0, 1.5, 0.9]})

CALLS = {  # name -> function of ax (None: make a figure) that draws with defaults
    "plot_surface": lambda ax: P.plot_surface(Rosenbrock(), ax=ax, resolution=40),
    "plot_paths": lambda ax: P.plot_paths({"GD": straight([1.5, 1.0])}, ax=ax,
                                          surface=Bowl(), surface_kw={"resolution": 30}),
    "plot_history": lambda ax: P.plot_history(HISTORY, metrics="loss", ax=ax),
    "plot_schedule": lambda ax: P.plot_schedule(np.geomspace(1e-1, 1e-5, 50), ax=ax),
    "plot_grad_norms": lambda ax: P.plot_grad_norms(HISTORY, ax=ax),
    "plot_phase_diagram": lambda ax: P.plot_phase_diagram(
        [0.01, 0.1, 1.0], [0.0, 0.9], [[0, 1, 2], [0, 0, 2]], xlabel="lr", ylabel="momentum",
        ax=ax),
    "plot_landscape_1d": lambda ax: P.plot_landscape_1d(np.linspace(-1, 2, 31),
                                                        np.linspace(-1, 2, 31) ** 2, ax=ax),
    "plot_landscape_2d": lambda ax: P.plot_landscape_2d(
        np.linspace(-1, 1, 11), np.linspace(-1, 1, 9),
        np.add.outer(np.linspace(-1, 1, 9) ** 2, np.linspace(-1, 1, 11) ** 2), ax=ax),
    "plot_spectrum": lambda ax: P.plot_spectrum([5.0, 2.0, -1.0], ax=ax),
}


@pytest.mark.parametrize("name", CALLS)
def test_returns_axes_of_a_new_figure_sized_for_the_column(name):
    ax = CALLS[name](None)
    assert isinstance(ax, Axes)
    assert ax.figure.get_size_inches()[0] == 6.5  # the column's width (a row of panels is lower)
    assert ax.figure.dpi == 150
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert png(ax).startswith(b"\x89PNG")


@pytest.mark.parametrize("name", CALLS)
def test_draws_into_the_given_axes(name):
    _fig, (left, right) = plt.subplots(1, 2)
    n_figures = len(plt.get_fignums())
    ax = CALLS[name](right)
    assert ax is right
    assert len(plt.get_fignums()) == n_figures  # no new figure
    assert right.has_data() and not left.has_data()
    assert png(ax).startswith(b"\x89PNG")


def test_no_function_prints(capsys):
    for call in CALLS.values():
        call(None)
    P.animate_paths([straight([1.0, 1.0], steps=3)], frames=2, dpi=20)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("name", CALLS)
def test_refuses_what_is_not_an_axes(name):
    with pytest.raises((TypeError, ValueError), match="'ax' parameter"):
        CALLS[name]("not an axes")


# --- style ---------------------------------------------------------------------------------------
def test_style_file_ships_with_the_package():
    assert P.STYLE_FILE.is_file() and P.STYLE_FILE.parent.name == "optlearn"
    tomllib = pytest.importorskip("tomllib")
    with open(P.STYLE_FILE.parents[1] / "pyproject.toml", "rb") as f:
        data = tomllib.load(f)["tool"]["setuptools"]["package-data"]["optlearn"]
    assert "*.mplstyle" in data or P.STYLE_FILE.name in data


def test_style_is_applied_inside_the_block_only():
    default_size = list(mpl.rcParams["figure.figsize"])
    with P.style():
        assert list(mpl.rcParams["figure.figsize"]) == [6.5, 4.0]
        assert mpl.rcParams["axes.spines.top"] is False
        colors = [to_hex(c["color"]) for c in mpl.rcParams["axes.prop_cycle"]]
        assert colors == OKABE_ITO
    assert list(mpl.rcParams["figure.figsize"]) == default_size


def test_style_restores_rcparams_after_an_error():
    before = mpl.rcParams.copy()
    with pytest.raises(ZeroDivisionError), P.style():
        1 / 0  # noqa: B018
    assert mpl.rcParams == before


def test_use_style_changes_rcparams_for_good():
    with mpl.rc_context():
        P.use_style()
        assert mpl.rcParams["axes.spines.right"] is False
        assert mpl.rcParams["figure.dpi"] == 150


def test_a_figure_keeps_the_style_when_drawn_outside_the_block():
    ax = P.plot_history(HISTORY, metrics="loss")
    assert mpl.rcParams["axes.spines.top"] is True  # the default is back
    png(ax)  # rendered later, as a notebook does
    assert not ax.spines["top"].get_visible()
    assert to_hex(ax.get_lines()[0].get_color()) == OKABE_ITO[0]


def test_a_users_axes_keep_their_colour_cycle():
    _fig, ax = plt.subplots()  # made outside the style: matplotlib's tab10
    P.plot_schedule([0.1, 0.05], ax=ax)
    assert to_hex(ax.get_lines()[0].get_color()) == "#1f77b4"


# --- plot_surface --------------------------------------------------------------------------------
def test_plot_surface_draws_contours_minima_and_saddles():
    ax = P.plot_surface(Rosenbrock(), levels=12, resolution=50)
    (cs,) = contour_sets(ax)
    assert len(cs.levels) == 12 and not cs.filled
    markers = {line.get_label(): line.get_marker() for line in ax.get_lines()}
    assert markers == {"minimum": "*", "saddle point": "X"}
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 3.0)
    assert ax.get_aspect() == 1.0


def test_plot_surface_log_levels_are_geometric_above_the_minimum():
    # Bowl's minimum is -1: the heights above it are log-spaced, and every level is finite.
    ax = P.plot_surface(Bowl(), log=True, levels=10, resolution=41)  # 41: (0, 0) on the grid
    levels = contour_sets(ax)[0].levels
    heights = levels - (-1.0)
    assert np.isfinite(levels).all() and (heights > 0).all()
    np.testing.assert_allclose(np.diff(np.log(heights)), np.log(heights[1] / heights[0]))
    assert levels[-1] == pytest.approx(4 + 4 * 1.5**2 - 1)  # the largest value on the window


def test_plot_surface_defaults_follow_the_surface():
    linear = contour_sets(P.plot_surface(Bowl(), resolution=30))[0].levels
    np.testing.assert_allclose(np.diff(linear), np.diff(linear)[0])  # log_levels False
    log = contour_sets(P.plot_surface(Rosenbrock(), resolution=30))[0].levels
    assert log[1] - log[0] < log[-1] - log[-2]  # log_levels True


def test_plot_surface_options():
    window = ((0.0, 1.0), (0.0, 0.5))
    ax = P.plot_surface(Rosenbrock(), window=window, filled=True, colorbar=True,
                        mark_minima=False, mark_saddles=False, levels=[1, 10, 100], resolution=20)
    (cs,) = contour_sets(ax)
    assert cs.filled and list(cs.levels) == [1, 10, 100]
    assert ax.get_lines() == [] and len(ax.figure.axes) == 2  # and the colorbar
    assert (ax.get_xlim(), ax.get_ylim()) == window


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"window": ((1, 0), (0, 1))}, ValueError, r"'window' parameter of plot_surface must be "
                                               r"\(\(xmin, xmax\), \(ymin, ymax\)\) with finite"),
    ({"window": 3}, ValueError, r"'window' parameter"),
    ({"resolution": 1}, ValueError, r"'resolution' parameter .* range \[2, inf\)\. Got 1"),
    ({"levels": 1}, ValueError, r"'levels' parameter"),
    ({"levels": [3, 2, 1]}, ValueError, r"at least two increasing values"),
])  # fmt: skip
def test_plot_surface_refuses(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        P.plot_surface(Bowl(), resolution=kwargs.pop("resolution", 10), **kwargs)
    assert plt.get_fignums() == []  # refused before drawing anything


def test_plot_surface_refuses_what_is_not_a_surface():
    with pytest.raises(TypeError, match=r"'surface' parameter .* an object with the attributes "
                                        r"name, window, .* without minima, saddles"):
        P.plot_surface(type("S", (), {"name": "s", "window": ((0, 1), (0, 1)),
                                      "log_levels": False, "value": None})())


def test_plot_surface_refuses_a_value_that_is_not_vectorised():
    class Scalar(Bowl):
        def value(self, xy):
            return float(np.sum(xy[..., 0]))

    with pytest.raises(ValueError, match=r"'surface.value' parameter .* vectorised.*Got "
                                         r"'output of shape \(\)'"):
        P.plot_surface(Scalar(), resolution=5)


# --- plot_paths ----------------------------------------------------------------------------------
def test_plot_paths_draws_lines_starts_ends_and_a_legend():
    paths = {"GD": straight([1.5, 1.0]), "momentum": straight([-1.5, 1.0], steps=35)}
    ax = P.plot_paths(paths)
    lines = ax.get_lines()
    assert len(lines) == 6  # per path: the line, its start, its end
    assert legend_texts(ax) == ["GD", "momentum"]
    starts = [line for line in lines if line.get_marker() == "o"]
    ends = [line for line in lines if line.get_marker() == "s"]
    assert [s.get_xydata().tolist() for s in starts] == [[[1.5, 1.0]], [[-1.5, 1.0]]]
    assert [e.get_xydata().tolist() for e in ends] == [[[0.0, 0.0]], [[0.0, 0.0]]]
    assert to_hex(lines[0].get_color()) == OKABE_ITO[0]  # the house palette
    assert to_hex(lines[3].get_color()) == OKABE_ITO[1]


def test_plot_paths_draws_the_starts_of_one_key_in_one_colour():
    many = np.stack([straight([1.0, s]) for s in (-1.0, 0.0, 1.0)])  # (3, 21, 2)
    ax = P.plot_paths({"Adam": many, "SGD": straight([0.5, 0.5])})
    lines = ax.get_lines()
    assert len(lines) == 3 + 2 + 3
    assert len({to_hex(line.get_color()) for line in lines[:5]}) == 1
    assert lines[3].get_xydata().shape == (3, 2)  # the three starts in one line of markers
    assert legend_texts(ax) == ["Adam", "SGD"]


def test_plot_paths_takes_lists_and_bare_arrays():
    a, b = straight([1.0, 1.0]), straight([-1.0, 1.0], steps=5)
    ax = P.plot_paths([a, b], labels=["a", "b"], markers=False, colors=["k", "r"], alpha=0.5)
    assert [to_hex(line.get_color()) for line in ax.get_lines()] == ["#000000", "#ff0000"]
    assert legend_texts(ax) == ["a", "b"]
    ax = P.plot_paths(np.stack([a, a + 1]), markers=False)  # a bare (2, 21, 2) array: two paths
    assert len(ax.get_lines()) == 2 and ax.get_legend() is None
    assert ax.get_lines()[0].get_color() != ax.get_lines()[1].get_color()


def test_plot_paths_with_a_surface_draws_it_underneath_and_keeps_its_window():
    diverged = straight([1.0, 1.0]) * np.geomspace(1, 1e30, 21)[:, None]
    diverged[-3:] = np.nan
    ax = P.plot_paths({"GD": diverged}, surface=Bowl(), surface_kw={"resolution": 20})
    assert len(contour_sets(ax)) == 1
    assert ax.get_xlim() == Bowl.window[0] and ax.get_ylim() == Bowl.window[1]
    assert legend_texts(ax) == ["GD"]  # not the minimum's star
    end = next(line for line in ax.get_lines() if line.get_marker() == "s")
    np.testing.assert_array_equal(end.get_xydata(), diverged[-4:-3])  # the last finite point


def test_plot_paths_window_without_a_surface():
    ax = P.plot_paths([straight([1.0, 1.0])], window=((-5, 5), (-4, 4)))
    assert ax.get_xlim() == (-5.0, 5.0) and ax.get_ylim() == (-4.0, 4.0)


@pytest.mark.parametrize(("paths", "kwargs", "exc", "match"), [
    (np.zeros((10, 3)), {}, ValueError,
     r"The 'paths' parameter of plot_paths must be an array of shape \(steps \+ 1, 2\) or "
     r"\(n_starts, steps \+ 1, 2\)\. Got 'shape \(10, 3\)' instead\."),
    ({"GD": np.zeros(5)}, {}, ValueError, r"The \"paths\['GD'\]\" parameter .* Got 'shape \(5,\)'"),
    ([np.zeros((4, 2)), np.zeros((2, 2, 2, 2))], {}, ValueError,
     r"'paths\[1\]' parameter .* Got 'shape \(2, 2, 2, 2\)'"),
    (np.zeros((0, 2)), {}, ValueError, r"Got 'shape \(0, 2\)'"),
    ({}, {}, ValueError, r"non-empty"),
    ("path", {}, TypeError, r"an array, a list of arrays or a dict"),
    ({"GD": np.zeros((3, 2))}, {"labels": ["x"]}, ValueError, r"'labels' parameter .* keys"),
    ([np.zeros((3, 2))] * 2, {"labels": ["x"]}, ValueError, r"one label per path \(2\)"),
    ([np.zeros((3, 2))] * 2, {"colors": ["k"]}, ValueError, r"'colors' parameter"),
    ([np.zeros((3, 2))], {"window": ((0, 0), (0, 1))}, ValueError, r"'window' parameter"),
])  # fmt: skip
def test_plot_paths_refuses(paths, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        P.plot_paths(paths, **kwargs)


# --- animate_paths -------------------------------------------------------------------------------
FRAME = re.compile(r'frames\[\d+\] = "data:image/(\w+);base64,')


def test_animate_paths_is_self_contained_html_with_subsampled_frames():
    n_figures = len(plt.get_fignums())
    html = P.animate_paths({"GD": straight([1.5, 1.0], steps=200)}, surface=Bowl(), frames=12,
                           dpi=30, surface_kw={"resolution": 30})  # fmt: skip
    assert isinstance(html, str) and isinstance(html, P.AnimationHTML)
    assert "<script" in html and html._repr_html_() == str(html)
    assert FRAME.findall(html) == ["jpeg"] * 12 and html.n_frames == 12
    assert len(html) < 1_000_000
    assert len(plt.get_fignums()) == n_figures  # its figure is closed
    assert repr(html).startswith("<AnimationHTML: 12 frames")


def test_animate_paths_keeps_every_step_of_a_short_path_and_the_last_one():
    paths = [straight([1.0, 1.0], steps=4), straight([-1.0, 1.0], steps=2)]  # lengths 5 and 3
    html = P.animate_paths(paths, labels=["a", "b"], frames=60, dpi=20, frame_format="png")
    assert FRAME.findall(html) == ["png"] * 5
    assert 'Nframes = 5' in html or html.n_frames == 5


def test_animate_paths_window_defaults_to_the_paths_range():
    # Diverged points (inf) are left out of the range; nothing is drawn or warned.
    path = straight([2.0, 1.0], steps=6)
    path[-1] = np.inf
    html = P.animate_paths([path], frames=3, dpi=20, default_mode="loop")
    assert html.n_frames == 3


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"frames": 0}, ValueError, r"'frames' parameter of animate_paths must be an int in the "
                                r"range \[1, inf\)\. Got 0 instead\."),
    ({"frames": 2.5}, TypeError, r"'frames' parameter"),
    ({"interval": 0}, ValueError, r"'interval' parameter"),
    ({"default_mode": "bounce"}, ValueError, r"one of 'once', 'loop', 'reflect'"),
    ({"frame_format": "gif"}, ValueError, r"one of 'jpeg', 'png'"),
])  # fmt: skip
def test_animate_paths_refuses(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        P.animate_paths([straight([1.0, 1.0], steps=3)], **kwargs)
    assert plt.get_fignums() == []


def test_animate_paths_refuses_paths_that_are_never_finite():
    with pytest.raises(ValueError, match=r"'paths' parameter .* finite at some point"):
        P.animate_paths([np.full((3, 2), np.nan)])


# --- plot_history --------------------------------------------------------------------------------
def test_plot_history_draws_train_and_val_per_metric():
    axes = P.plot_history(HISTORY)
    assert isinstance(axes, np.ndarray) and axes.shape == (2,)
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        assert legend_texts(ax) == ["train", "val"]
        np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), getattr(HISTORY,
                                                                              f"train_{metric}"))
        np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3])
    assert axes[0].figure.get_size_inches()[0] == 6.5


def test_plot_history_without_accuracy_or_validation_draws_the_loss_only():
    h = History(epoch=[1, 2], train_loss=[1.0, 0.5])
    axes = P.plot_history(h)
    assert axes.shape == (1,) and len(axes[0].get_lines()) == 1
    assert legend_texts(axes[0]) == ["train"]


def test_plot_history_more_panels_a_dict_and_given_axes():
    _fig, axs = plt.subplots(2, 2)
    out = P.plot_history(HISTORY.to_dict(), metrics=["loss", "accuracy", "lr", "grad_norm"],
                         ax=axs)  # fmt: skip
    assert [ax.get_title() for ax in out] == ["loss", "accuracy", "learning rate",
                                              "gradient norm"]  # fmt: skip
    assert all(a is b for a, b in zip(out, axs.ravel(), strict=True))
    assert out[2].get_yscale() == "log"  # 0.1 to 0.0005: more than two decades
    assert out[2].get_legend() is None
    assert legend_texts(out[3]) == ["mean", "max"] and out[3].get_lines()[1].get_linestyle() == "--"


def test_plot_history_one_metric_returns_one_axes():
    ax = P.plot_history(HISTORY, metrics="lr")
    assert isinstance(ax, Axes) and ax.get_title() == "learning rate"


def test_plot_history_works_without_an_epoch_list():
    ax = P.plot_history({"train_loss": [3.0, 2.0, 1.0]}, metrics="loss")
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3])


@pytest.mark.parametrize(("history", "kwargs", "match"), [
    (HISTORY, {"metrics": ["loss", "acc"]},
     r"The 'metrics' parameter of plot_history must be names from 'loss', 'accuracy', 'lr', "
     r"'grad_norm'\. Got 'acc' instead\."),
    (History(epoch=[1], train_loss=[1.0]), {"metrics": "accuracy"},
     r"metrics the history recorded \('loss'\)\. Got 'accuracy' instead\. Accuracies"),
    (HISTORY, {"metrics": []}, r"at least one metric"),
    (HISTORY, {"metrics": ["loss", "lr"], "ax": "ax"}, r"'ax' parameter .* 2 matplotlib Axes"),
    (History(epoch=[1, 2], train_loss=[1.0]), {}, r"one value per epoch \(2\)"),
])  # fmt: skip
def test_plot_history_refuses(history, kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.plot_history(history, **kwargs)
    assert plt.get_fignums() == []  # checked before drawing


def test_plot_history_refuses_too_few_axes():
    _fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"2 matplotlib Axes, one per metric \(loss, accuracy\)"):
        P.plot_history(HISTORY, ax=ax)


# --- plot_schedule -------------------------------------------------------------------------------
def test_plot_schedule_of_a_list():
    lrs = [0.1, 0.1, 0.05, 0.025]
    ax = P.plot_schedule(lrs, label="step")
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2, 3])
    np.testing.assert_array_equal(line.get_ydata(), lrs)
    assert ax.get_yscale() == "linear" and legend_texts(ax) == ["step"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "learning rate")


def test_plot_schedule_records_a_scheduler_before_each_step_and_consumes_it():
    opt = SGD([np.zeros(2)], lr=0.1)
    sched = CosineAnnealingLR(opt, T_max=20)
    ax = P.plot_schedule(sched, steps=21)  # warnings are errors: the step order one is silenced
    t = np.arange(21)
    expected = 0.05 * (1 + np.cos(np.pi * t / 20))
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), expected, atol=1e-15)
    assert sched.last_epoch == 21  # consumed
    assert ax.get_yscale() == "linear"  # reaches 0


def test_plot_schedule_log_scale_when_it_spans_decades():
    sched = ExponentialLR(SGD([np.zeros(2)], lr=1.0), gamma=0.5)
    ax = P.plot_schedule(sched, steps=12)  # 1 to 2^-11: more than two decades
    assert ax.get_yscale() == "log"
    assert P.plot_schedule([1.0, 0.5, 0.1], log=True).get_yscale() == "log"
    assert P.plot_schedule(np.geomspace(1, 1e-3, 5), log=False).get_yscale() == "linear"


def test_several_schedules_share_an_axes():
    ax = P.plot_schedule([0.1, 0.1], label="constant")
    P.plot_schedule([0.1, 0.05], label="halved", ax=ax)
    assert legend_texts(ax) == ["constant", "halved"]


@pytest.mark.parametrize(("make", "kwargs", "match"), [
    (lambda: CosineAnnealingLR(SGD([np.zeros(1)], lr=0.1), T_max=5), {},
     r"'steps' parameter .* with a scheduler"),
    (lambda: CosineAnnealingLR(SGD([np.zeros(1)], lr=0.1), T_max=5), {"steps": 0},
     r"'steps' parameter .* \[1, inf\)"),
    (lambda: [0.1, 0.2], {"steps": 2}, r"'steps' parameter .* None when the rates are given"),
    (lambda: ReduceLROnPlateau(SGD([np.zeros(1)], lr=0.1)), {"steps": 3},
     r"a scheduler whose step\(\) takes no argument\. Got 'ReduceLROnPlateau' instead\. .*"
     r"History\.lr"),
    (lambda: [0.1, float("nan")], {}, r"'scheduler_or_lrs' parameter .* finite"),
    (lambda: [[0.1]], {}, r"a 1-D array\. Got 'shape \(1, 1\)'"),
])  # fmt: skip
def test_plot_schedule_refuses(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.plot_schedule(make(), **kwargs)


# --- plot_grad_norms -----------------------------------------------------------------------------
def test_plot_grad_norms_of_a_history_with_the_global_norm_dashed():
    ax = P.plot_grad_norms(HISTORY)
    lines = ax.get_lines()
    assert legend_texts(ax) == ["layers.0", "layers.1", "global"]
    assert [line.get_linestyle() for line in lines] == ["-", "-", "--"]
    np.testing.assert_array_equal(lines[2].get_ydata(), HISTORY.grad_norm)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"


def test_plot_grad_norms_of_a_dict_and_linear():
    ax = P.plot_grad_norms({"w": [1.0, 2.0], "b": [0.5, 0.1]}, log=False)
    assert legend_texts(ax) == ["w", "b"] and ax.get_yscale() == "linear"
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2])


@pytest.mark.parametrize(("arg", "match"), [
    ({"w": [1.0, 2.0], "b": [0.5]}, r"as many norms for every layer as epochs"),
    (History(), r"gradient norms"),
    ({}, r"gradient norms"),
    ({"w": [[1.0]]}, r"\"layer_grad_norms\['w'\]\" parameter"),
])  # fmt: skip
def test_plot_grad_norms_refuses(arg, match):
    with pytest.raises(ValueError, match=match):
        P.plot_grad_norms(arg)


# --- plot_phase_diagram --------------------------------------------------------------------------
LRS = np.geomspace(1e-3, 1.0, 4)
MOMENTA = np.array([0.0, 0.5, 0.9])
STATUS = np.array([[1, 0, 0, 2], [1, 0, 0, 2], [0, 0, 2, 2]])


def test_plot_phase_diagram_draws_categories_with_a_legend_and_log_axes():
    ax = P.plot_phase_diagram(LRS, MOMENTA, STATUS, xlabel="learning rate", ylabel="momentum")
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    np.testing.assert_array_equal(mesh.get_array().reshape(STATUS.shape), STATUS)
    assert legend_texts(ax) == ["converged", "slow", "diverged"]
    colors = [to_hex(h.get_facecolor()) for h in ax.get_legend().legend_handles]
    assert colors == ["#009e73", "#f0e442", "#d55e00"]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "linear")  # geometric / arithmetic
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.001", "0.01", "0.1", "1"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "0.5", "0.9"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("learning rate", "momentum")
    # cells centred on the grid values: edges halfway in log between neighbours
    assert ax.get_xlim()[0] == pytest.approx(10**-3.5)


def test_plot_phase_diagram_values_with_a_colorbar():
    steps = np.where(STATUS == 2, np.nan, 10.0 * np.arange(12).reshape(3, 4))
    ax = P.plot_phase_diagram(LRS, MOMENTA, STATUS, xlabel="lr", ylabel="m", values=steps,
                              values_label="steps to converge", log_x=False)  # fmt: skip
    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 2 and len(ax.figure.axes) == 2
    assert ax.figure.axes[1].get_ylabel() == "steps to converge"
    assert legend_texts(ax) == ["diverged"]  # only what shows through the NaN cells
    assert ax.get_xscale() == "linear"


def test_plot_phase_diagram_custom_labels_and_many_values():
    x = np.linspace(0, 1, 30)
    status = (x[None, :] > 0.5).astype(np.int8).repeat(2, axis=0)
    ax = P.plot_phase_diagram(x, [1, 2], status, xlabel="a", ylabel="b", labels=("ok", "bad"),
                              colors=["blue", "red"])  # fmt: skip
    assert legend_texts(ax) == ["ok", "bad"]
    assert len(ax.get_xticks()) <= 8


@pytest.mark.parametrize(("args", "kwargs", "exc", "match"), [
    ((LRS, MOMENTA, STATUS.T), {}, ValueError,
     r"The 'status' parameter of plot_phase_diagram must be an array of shape "
     r"\(len\(y_values\), len\(x_values\)\) = \(3, 4\)\. Got 'shape \(4, 3\)' instead\."),
    ((LRS, MOMENTA, STATUS + 1), {}, ValueError, r"codes from 0 to 2 .* Got 'codes \[1, 2, 3\]'"),
    ((LRS, MOMENTA, STATUS * 0.5), {}, TypeError, r"integer codes"),
    ((LRS[::-1][[0, 2, 1, 3]], MOMENTA, STATUS), {}, ValueError, r"strictly increasing or"),
    ((LRS, MOMENTA, STATUS), {"values": np.zeros((3, 3))}, ValueError,
     r"'values' parameter .* shape of status \(3, 4\)"),
    ((LRS, MOMENTA, STATUS), {"labels": ("a", "b", "c", "d"), "colors": ["r"]}, ValueError,
     r"'colors' parameter"),
    ((LRS, MOMENTA, STATUS), {"log_y": True}, ValueError, r"'y_values' parameter .* positive"),
])  # fmt: skip
def test_plot_phase_diagram_refuses(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        P.plot_phase_diagram(*args, xlabel="x", ylabel="y", **kwargs)


# --- landscapes ----------------------------------------------------------------------------------
def test_plot_landscape_1d_marks_the_endpoints():
    alphas = np.linspace(-0.5, 1.5, 21)
    ax = P.plot_landscape_1d(alphas, (alphas - 1) ** 2, label="init -> trained")
    _curve, marks = ax.get_lines()
    np.testing.assert_array_equal(marks.get_xdata(), [0.0, 1.0])
    np.testing.assert_allclose(marks.get_ydata(), [1.0, 0.0], atol=1e-12)
    assert legend_texts(ax) == ["init -> trained"]
    assert len(P.plot_landscape_1d(alphas, alphas, mark=()).get_lines()) == 1
    assert P.plot_landscape_1d(alphas, alphas, mark=(0, 5)).get_lines()[1].get_xdata() == [0]


@pytest.mark.parametrize(("args", "match"), [
    (([0, 1, 2], [1, 2]), r"'losses' parameter .* the shape of alphas \(3,\)"),
    (([2, 1, 0], [1, 2, 3]), r"'alphas' parameter .* increasing"),
    (([0, 1, 1], [1, 2, 3]), r"strictly"),
    (([0, np.nan], [1, 2]), r"'alphas' parameter .* finite"),
])  # fmt: skip
def test_plot_landscape_1d_refuses(args, match):
    with pytest.raises(ValueError, match=match):
        P.plot_landscape_1d(*args)


def test_plot_landscape_2d_with_a_path():
    a, b = np.linspace(-1, 1, 21), np.linspace(-2, 2, 11)
    losses = a[None, :] ** 2 + b[:, None] ** 2 - 0.5  # losses[j, i] at (a[i], b[j]); min < 0
    path = np.array([[-0.8, 1.5], [-0.3, 0.5], [0.0, 0.0]])
    ax = P.plot_landscape_2d(a, b, losses, path=path, levels=8, colorbar=True)
    (cs,) = contour_sets(ax)
    assert len(cs.levels) == 8 and (cs.levels > -0.5).all()
    line, start, end = ax.get_lines()
    np.testing.assert_array_equal(line.get_xydata(), path)
    assert (start.get_marker(), end.get_marker()) == ("o", "s")
    assert ax.get_xlim() == (-1.0, 1.0) and ax.get_ylim() == (-2.0, 2.0)
    assert len(ax.figure.axes) == 2


@pytest.mark.parametrize(("losses", "path", "match"), [
    (np.zeros((21, 11)), None, r"shape \(len\(betas\), len\(alphas\)\) = \(11, 21\)\. Got "
                               r"'shape \(21, 11\)'"),
    (np.zeros((11, 21)), np.zeros((3, 3)), r"'path' parameter .* \(k, 2\)\. Got 'shape \(3, 3\)'"),
    (np.full((11, 21), np.nan), None, r"finite somewhere"),
])  # fmt: skip
def test_plot_landscape_2d_refuses(losses, path, match):
    with pytest.raises(ValueError, match=match):
        P.plot_landscape_2d(np.linspace(-1, 1, 21), np.linspace(-1, 1, 11), losses, path=path)


# --- plot_spectrum -------------------------------------------------------------------------------
def test_plot_spectrum_few_values_as_stems_sorted_negative_in_vermillion():
    ax = P.plot_spectrum([1.0, -0.5, 12.0, 3.5], label="epoch 3")
    assert legend_texts(ax) == ["positive (3), epoch 3", "negative (1), epoch 3"]
    pos, neg = ax.containers
    np.testing.assert_array_equal(pos.markerline.get_ydata(), [12.0, 3.5, 1.0])
    np.testing.assert_array_equal(neg.markerline.get_xdata(), [4])
    assert to_hex(neg.markerline.get_color()) == "#d55e00"
    assert to_hex(pos.markerline.get_color()) == "#0072b2"


def test_plot_spectrum_many_values_as_a_histogram_with_zero_an_edge(rng):
    ev = np.concatenate([rng.normal(0.0, 0.1, 300), rng.uniform(1, 20, 10)])
    ax = P.plot_spectrum(ev, log_counts=True)
    n_neg, n_pos = int((ev < 0).sum()), int((ev >= 0).sum())
    assert legend_texts(ax) == [f"positive ({n_pos})", f"negative ({n_neg})"]
    for patch in ax.patches:  # no bar straddles 0, and each has the colour of its sign
        x0, width = patch.get_x(), patch.get_width()
        assert x0 >= -1e-12 or x0 + width <= 1e-12
        expected = "#d55e00" if x0 < 0 else "#0072b2"
        assert to_hex(patch.get_facecolor()) == expected
    heights = sum(p.get_height() for p in ax.patches)
    assert heights == ev.size
    assert ax.get_yscale() == "log"


def test_plot_spectrum_bins_and_kind():
    ax = P.plot_spectrum([3.0, 1.0, 2.0], kind="hist", bins=4)
    assert sum(p.get_height() for p in ax.patches) == 3
    assert len(P.plot_spectrum(np.ones(60), kind="stem").containers) == 1  # all alike: fine


@pytest.mark.parametrize(("ev", "kwargs", "match"), [
    ([], {}, r"non-empty"),
    ([1.0, np.inf], {}, r"'eigenvalues' parameter .* finite\. Got 'inf at index \(1,\)'"),
    ([1.0], {"kind": "bars"}, r"one of 'hist', 'stem'"),
    ([1.0], {"bins": 0}, r"'bins' parameter"),
])  # fmt: skip
def test_plot_spectrum_refuses(ev, kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.plot_spectrum(ev, **kwargs)


def test_plotting_is_reachable_from_optlearn_and_exports_what_it_lists():
    import optlearn as ol

    assert ol.plotting is sys.modules["optlearn.plotting"]
    assert all(callable(getattr(P, name)) for name in P.__all__ if name != "STYLE_FILE")


@pytest.mark.slow
def test_a_styled_first_figure_does_not_stop_jupyter_showing_later_ones():
    # In Jupyter the first figure loads the inline backend, which turns interactive mode on;
    # the style block used to restore it to off, and no later figure was shown on its own.
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nimport optlearn as ol\n"
                                  "_ = ol.plotting.plot_surface(ol.surfaces.Booth())"),
        nbformat.v4.new_code_cell("fig, ax = plt.subplots()\n_ = ax.plot([0, 1], [1, 0])"),
    ])  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    nbclient.NotebookClient(nb, timeout=120).execute()
    shown = [sum("image/png" in o.get("data", {}) for o in c.outputs) for c in nb.cells]
    assert shown == [1, 1]
