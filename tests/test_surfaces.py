"""surfaces: exact derivatives and critical points, kernels, shapes, Custom, get, refusals."""

import math
import subprocess
import sys

import numpy as np
import pytest

import optlearn as ol
from optlearn import surfaces
from optlearn._jit import jit

# One row per surface (with non-default parameters where it has some): every test reads this.
CASES = [
    surfaces.Quadratic(),
    surfaces.Quadratic(condition_number=25.0, angle=0.6),
    surfaces.Rosenbrock(),
    surfaces.Rosenbrock(a=-0.5, b=10.0),
    surfaces.Beale(),
    surfaces.Himmelblau(),
    surfaces.Rastrigin(),
    surfaces.Rastrigin(A=0.5),
    surfaces.Booth(),
    surfaces.Saddle(),
    surfaces.MonkeySaddle(),
    surfaces.SixHumpCamel(),
    surfaces.StyblinskiTang(),
]
IDS = [repr(s) for s in CASES]
each = pytest.mark.parametrize("surface", CASES, ids=IDS)


def in_window(surface, rng, n):
    (x0, x1), (y0, y1) = surface.window
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def hessian_by_differences(surface, p, h=1e-5):
    H = np.empty((2, 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        H[:, j] = (surface.grad(p + e) - surface.grad(p - e)) / (2 * h)
    return H


def scale(surface, p):
    """A size of the derivatives near p, for tolerances that do not depend on the units."""
    return max(1.0, np.abs(surface.hessian(p)).max() * (1.0 + np.abs(p).max()))


# --- the registry itself --------------------------------------------------------------------------
def test_every_surface_is_tested_and_kinds_match_names():
    assert {type(s).__name__ for s in CASES} == set(surfaces.SURFACES)
    assert surfaces.KINDS == surfaces.SURFACES
    for s in CASES:
        assert s.kind == surfaces.SURFACES.index(type(s).__name__)


@each
def test_attributes_have_the_documented_types(surface):
    assert isinstance(surface.name, str) and surface.name
    (x0, x1), (y0, y1) = surface.window
    assert all(isinstance(v, float) for v in (x0, x1, y0, y1)) and x0 < x1 and y0 < y1
    for points in (surface.minima, surface.saddles, surface.maxima):
        assert points.dtype == np.float64 and points.ndim == 2 and points.shape[1] == 2
    assert isinstance(surface.min_value, float)
    assert surface.params.dtype == np.float64 and surface.params.ndim == 1
    assert isinstance(surface.log_levels, bool)
    # Log-spaced levels need a finite minimum to measure value - min_value from.
    assert not surface.log_levels or math.isfinite(surface.min_value)


# --- derivatives ---------------------------------------------------------------------------------
@each
def test_gradient_matches_central_differences(surface, rng):
    def f(p):
        return float(surface.value(p)), surface.grad(p)

    for p in in_window(surface, rng, 20):
        assert ol.gradcheck(f, p) < 1e-6, p


@each
def test_hessian_matches_differences_of_the_gradient(surface, rng):
    for p in in_window(surface, rng, 20):
        H = surface.hessian(p)
        np.testing.assert_array_equal(H, H.T)
        err = np.abs(H - hessian_by_differences(surface, p)).max()
        assert err < 1e-5 * max(1.0, np.abs(H).max()), p


# --- critical points ------------------------------------------------------------------------------
@each
def test_listed_critical_points_have_zero_gradient(surface):
    for p in np.concatenate([surface.minima, surface.saddles, surface.maxima]):
        assert np.abs(surface.grad(p)).max() < 1e-8 * scale(surface, p), p


@each
def test_minima_are_minima_with_the_global_one_first(surface):
    for p in surface.minima:
        assert np.linalg.eigvalsh(surface.hessian(p)).min() > 0, p
    if not len(surface.minima):
        assert surface.min_value == -math.inf
        return
    values = surface.value(surface.minima)
    assert values[0] == pytest.approx(surface.min_value, abs=1e-12 * max(1, abs(values[0])))
    assert values.min() >= surface.min_value - 1e-12 * max(1, abs(surface.min_value))


@each
def test_min_value_is_the_minimum_over_the_window(surface):
    (x0, x1), (y0, y1) = surface.window
    X, Y = np.meshgrid(np.linspace(x0, x1, 301), np.linspace(y0, y1, 301))
    lowest = surface.value(np.stack([X, Y], axis=-1)).min()
    assert lowest >= surface.min_value - 1e-9


@each
def test_saddles_and_maxima(surface):
    for p in surface.saddles:
        eig = np.linalg.eigvalsh(surface.hessian(p))
        if np.abs(eig).max() > 1e-12:  # non-degenerate: indefinite
            assert eig[0] < 0 < eig[1], p
        else:  # degenerate (the monkey saddle): f is above and below f(p) on a small circle
            t = np.linspace(0, 2 * np.pi, 13)
            ring = surface.value(p + 1e-3 * np.column_stack([np.cos(t), np.sin(t)]))
            assert (ring > surface.value(p)).any() and (ring < surface.value(p)).any()
    for p in surface.maxima:
        assert np.linalg.eigvalsh(surface.hessian(p)).max() < 0, p


def test_counts_of_critical_points():
    counts = {
        "Himmelblau": (4, 4, 1),
        "Beale": (1, 2, 0),
        "SixHumpCamel": (6, 7, 2),
        "StyblinskiTang": (4, 4, 1),
        "Rastrigin": (5, 4, 4),
        "Saddle": (0, 1, 0),
        "MonkeySaddle": (0, 1, 0),
    }
    for name, expected in counts.items():
        s = surfaces.get(name)
        assert (len(s.minima), len(s.saddles), len(s.maxima)) == expected, name


def test_exact_and_published_minima():
    assert surfaces.Rosenbrock(a=2.0, b=5.0).minima.tolist() == [[2.0, 4.0]]
    assert surfaces.Beale().minima.tolist() == [[3.0, 0.5]]
    assert surfaces.Booth().minima.tolist() == [[1.0, 3.0]]
    him = surfaces.Himmelblau()
    assert him.minima[0].tolist() == [3.0, 2.0]
    np.testing.assert_array_equal(him.value(him.minima) < 1e-24, True)  # all four are global
    assert him.value(him.maxima[0]) == pytest.approx(181.61652152258270, rel=1e-14)
    camel = surfaces.SixHumpCamel()
    np.testing.assert_allclose(camel.minima[:2], [[0.0898, -0.7126], [-0.0898, 0.7126]],
                               atol=1e-4)  # fmt: skip
    assert camel.value(camel.minima[1]) == pytest.approx(camel.min_value, abs=1e-15)
    st = surfaces.StyblinskiTang()
    np.testing.assert_allclose(st.minima[0], [-2.903534, -2.903534], atol=1e-6)
    assert st.min_value == pytest.approx(-78.33233140754283, rel=1e-15)


def test_rastrigin_local_minima_follow_A():
    for A in (0.3, 1.0, 10.0, 100.0):
        m = surfaces.Rastrigin(A=A).minima[1, 0]
        assert 0.5 < m < 1 and abs(2 * m + 2 * np.pi * A * np.sin(2 * np.pi * m)) < 1e-12
    # Shallow ripples have no local minima near the origin: only the global one is listed.
    small = surfaces.Rastrigin(A=0.2)
    assert small.minima.tolist() == [[0.0, 0.0]] and small.saddles.shape == (0, 2)
    t = np.linspace(0.0, 1.0, 1001)
    assert (surfaces.Rastrigin(A=0.2).grad(np.column_stack([t, 0 * t]))[1:, 0] > 0).all()
    assert surfaces.Rastrigin(A=0.0).minima.tolist() == [[0.0, 0.0]]


def test_rosenbrock_valley_is_ill_conditioned():
    # The classic reason for its slowness: condition number about 2508 at the minimum.
    eig = np.linalg.eigvalsh(surfaces.Rosenbrock().hessian([1.0, 1.0]))
    assert eig[1] / eig[0] == pytest.approx(2508.0, rel=1e-3)


def test_saddle_surfaces_are_unbounded_below():
    for s in (surfaces.Saddle(), surfaces.MonkeySaddle()):
        assert s.min_value == -math.inf and s.minima.shape == (0, 2)
        assert s.value([0.0, 1e3]) < -1e5 or s.value([-1e3, 0.0]) < -1e5
    np.testing.assert_array_equal(surfaces.MonkeySaddle().hessian([0.0, 0.0]), 0.0)


# --- the quadratic --------------------------------------------------------------------------------
@pytest.mark.parametrize("kappa", [1.0, 4.0, 100.0])
@pytest.mark.parametrize("angle", [0.0, 0.3, -2.0])
def test_quadratic_has_the_chosen_spectrum_and_rotation(kappa, angle, rng):
    q = surfaces.Quadratic(condition_number=kappa, angle=angle)
    np.testing.assert_array_equal(q.A, q.A.T)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.A), [1.0, kappa], rtol=1e-13)
    assert (q.L, q.mu) == (kappa, 1.0)
    R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    np.testing.assert_allclose(q.A, R @ np.diag([1.0, kappa]) @ R.T, atol=1e-13 * kappa)
    u = np.array([-np.sin(angle), np.cos(angle)])  # the steep direction
    np.testing.assert_allclose(q.A @ u, kappa * u, atol=1e-13 * kappa)
    P = rng.standard_normal((7, 2))
    np.testing.assert_allclose(q.value(P), 0.5 * np.einsum("ni,ij,nj->n", P, q.A, P),
                               rtol=1e-13)  # fmt: skip
    np.testing.assert_allclose(q.grad(P), P @ q.A, rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(q.hessian(P), np.broadcast_to(q.A, (7, 2, 2)))
    assert q.params.tolist() == [q.A[0, 0], q.A[0, 1], q.A[1, 1]]


# --- vectorised shapes ---------------------------------------------------------------------------
@each
def test_shapes_and_agreement_between_shapes(surface, rng):
    P = in_window(surface, rng, 12).reshape(3, 4, 2)
    V, G, H = surface.value(P), surface.grad(P), surface.hessian(P)
    assert (V.shape, G.shape, H.shape) == ((3, 4), (3, 4, 2), (3, 4, 2, 2))
    assert V.dtype == G.dtype == H.dtype == np.float64
    flat = P.reshape(-1, 2)
    np.testing.assert_array_equal(surface.value(flat), V.ravel())
    np.testing.assert_array_equal(surface(flat), V.ravel())
    one = surface.value(flat[5])
    assert np.ndim(one) == 0 and one == V.ravel()[5]
    np.testing.assert_array_equal(surface.grad(flat[5]), G.reshape(-1, 2)[5])
    np.testing.assert_array_equal(surface.hessian(flat[5]), H.reshape(-1, 2, 2)[5])
    empty = np.empty((0, 2))
    assert surface.value(empty).shape == (0,) and surface.hessian(empty).shape == (0, 2, 2)


def test_inputs_are_converted_and_never_modified():
    f = surfaces.Rosenbrock()
    P = np.array([[0.5, 1.0], [2.0, -1.0]])
    copy = P.copy()
    expected = f.value(P)
    np.testing.assert_array_equal(f.value(P.tolist()), expected)
    np.testing.assert_array_equal(f.value(P.astype(np.float32)), f.value(
        P.astype(np.float32).astype(np.float64)))  # fmt: skip
    np.testing.assert_array_equal(f.value(np.asfortranarray(P)), expected)
    np.testing.assert_array_equal(f.grad(np.array([[1, 2]])), f.grad([[1.0, 2.0]]))
    np.testing.assert_array_equal(f.value(np.repeat(P, 2, axis=1)[:, ::2]), expected)
    np.testing.assert_array_equal(P, copy)
    assert np.isnan(f.value([np.nan, 0.0]))


@pytest.mark.parametrize("bad", [[1.0, 2.0, 3.0], np.zeros((4, 3)), 1.0, np.zeros((2, 0))])
@pytest.mark.parametrize("method", ["value", "grad", "hessian"])
def test_points_of_the_wrong_shape_are_refused(bad, method):
    shape = np.shape(bad)
    with pytest.raises(ValueError, match=rf"The 'xy' parameter of Booth\.{method} must be an array "
                       rf"of shape \(\.\.\., 2\).*Got 'an array of shape {re_shape(shape)}'"):
        getattr(surfaces.Booth(), method)(bad)


def re_shape(shape):
    return str(shape).replace("(", r"\(").replace(")", r"\)")


@pytest.mark.parametrize("bad", [np.array([1 + 2j, 3j]), ["a", "b"], [[1.0, 2.0], [3.0]],
                                 np.array([True, False])])  # fmt: skip
def test_points_that_are_not_real_numbers_are_refused(bad):
    with pytest.raises(TypeError, match=r"The 'xy' parameter of Himmelblau\.grad must be"):
        surfaces.Himmelblau().grad(bad)


# --- the kernels ---------------------------------------------------------------------------------
def make_grad_loop(kernel):
    """A user's kernel that takes a surface's gradient through a closure."""

    @jit
    def loop(xy, params, out):
        for i in range(xy.shape[0]):
            gx, gy = kernel(xy[i, 0], xy[i, 1], params)
            out[i, 0] = gx
            out[i, 1] = gy

    return loop


@each
def test_scalar_kernels_equal_the_methods(surface, rng):
    P = in_window(surface, rng, 5)
    for x, y in P:
        p = np.array([x, y])
        assert surface.value_kernel(x, y, surface.params) == surface.value(p)
        assert surface.grad_kernel(x, y, surface.params) == tuple(surface.grad(p))
        hxx, hxy, hyy = surface.hessian_kernel(x, y, surface.params)
        assert [[hxx, hxy], [hxy, hyy]] == surface.hessian(p).tolist()


def test_grad_kernel_inside_a_user_jitted_function(rng):
    for surface in (surfaces.Rosenbrock(b=10.0), surfaces.Himmelblau(), surfaces.Quadratic(5.0)):
        P = in_window(surface, rng, 50)
        out = np.empty_like(P)
        make_grad_loop(surface.grad_kernel)(P, surface.params, out)
        np.testing.assert_array_equal(out, surface.grad(P))


@jit
def _by_kind_loop(kind, xy, params, out):
    for i in range(xy.shape[0]):
        out[i, 0] = surfaces.value_by_kind(kind, xy[i, 0], xy[i, 1], params)
        gx, gy = surfaces.grad_by_kind(kind, xy[i, 0], xy[i, 1], params)
        out[i, 1] = gx
        out[i, 2] = gy
        hxx, hxy, hyy = surfaces.hessian_by_kind(kind, xy[i, 0], xy[i, 1], params)
        out[i, 3] = hxx
        out[i, 4] = hxy
        out[i, 5] = hyy


@each
def test_functions_by_kind_equal_the_methods(surface, rng):
    P = in_window(surface, rng, 9)
    out = np.empty((9, 6))
    _by_kind_loop(surface.kind, P, surface.params, out)
    H = surface.hessian(P)
    np.testing.assert_array_equal(out[:, 0], surface.value(P))
    np.testing.assert_array_equal(out[:, 1:3], surface.grad(P))
    np.testing.assert_array_equal(out[:, 3:], np.column_stack([H[:, 0, 0], H[:, 0, 1],
                                                               H[:, 1, 1]]))  # fmt: skip
    _by_kind_loop(len(surfaces.KINDS), P, surface.params, out)  # no such kind: NaN
    assert np.isnan(out).all()


def test_import_and_construction_compile_nothing():
    code = ("from optlearn import surfaces as s\n"
            "[s.get(n) for n in s.SURFACES]\n"
            "assert not s._value_loop.signatures\n"
            "assert not s._rosenbrock_grad.signatures\n")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True)


# --- Custom ---------------------------------------------------------------------------------------
def quartic_value(p):
    return p[..., 0] ** 4 + p[..., 0] * p[..., 1] + 2 * p[..., 1] ** 2


def quartic_grad(p):
    return np.stack([4 * p[..., 0] ** 3 + p[..., 1], p[..., 0] + 4 * p[..., 1]], axis=-1)


def quartic_hessian(p):
    H = np.empty((*p.shape, 2))
    H[..., 0, 0] = 12 * p[..., 0] ** 2
    H[..., 0, 1] = H[..., 1, 0] = 1.0
    H[..., 1, 1] = 4.0
    return H


def test_custom_surface(rng):
    f = surfaces.Custom(quartic_value, quartic_grad, window=((-2, 2), (-1, 1)),
                        minima=[(0.0, 0.0)], name="quartic")  # fmt: skip
    assert (f.name, f.kind, f.value_kernel, f.grad_kernel, f.hessian_kernel) == (
        "quartic", None, None, None, None)  # fmt: skip
    assert f.window == ((-2.0, 2.0), (-1.0, 1.0)) and f.min_value == 0.0
    assert f.saddles.shape == (0, 2) and f.params.shape == (0,)
    P = in_window(f, rng, 24).reshape(2, 12, 2)
    np.testing.assert_array_equal(f.value(P), quartic_value(P))
    np.testing.assert_array_equal(f(P), quartic_value(P))
    np.testing.assert_array_equal(f.grad(P), quartic_grad(P))
    # The Hessian by central differences of the gradient: about ten correct digits.
    np.testing.assert_allclose(f.hessian(P), quartic_hessian(P), rtol=1e-9, atol=1e-9)
    assert np.ndim(f.value([1.0, 2.0])) == 0 and f.hessian([1.0, 2.0]).shape == (2, 2)
    for p in P.reshape(-1, 2):
        assert ol.gradcheck(lambda q: (float(f.value(q)), f.grad(q)), p) < 1e-6
    g = surfaces.Custom(quartic_value, quartic_grad, quartic_hessian, window=((-2, 2), (-1, 1)))
    np.testing.assert_array_equal(g.hessian(P), quartic_hessian(P))
    assert math.isnan(g.min_value) and g.minima.shape == (0, 2) and g.name == "custom"


def test_custom_surface_refusals():
    w = ((-1, 1), (-1, 1))
    with pytest.raises(TypeError, match="The 'value' parameter of Custom must be a callable"):
        surfaces.Custom(1.0, quartic_grad, window=w)
    with pytest.raises(TypeError, match="The 'hessian' parameter of Custom"):
        surfaces.Custom(quartic_value, quartic_grad, "exact", window=w)
    with pytest.raises(TypeError, match="The 'name' parameter of Custom must be a str"):
        surfaces.Custom(quartic_value, quartic_grad, window=w, name=3)
    for bad in [((1, -1), (-1, 1)), ((0, 1),), ((0, np.inf), (0, 1))]:
        with pytest.raises(ValueError, match="The 'window' parameter of Custom"):
            surfaces.Custom(quartic_value, quartic_grad, window=bad)
    with pytest.raises(ValueError, match=r"The 'minima' parameter of Custom must be an array of "
                       r"shape \(k, 2\)"):  # fmt: skip
        surfaces.Custom(quartic_value, quartic_grad, window=w, minima=[(0, 0, 0)])
    with pytest.raises(ValueError, match="The 'saddles' parameter of Custom must be finite"):
        surfaces.Custom(quartic_value, quartic_grad, window=w, saddles=[(0, np.nan)])
    with pytest.raises(ValueError, match="finite at minima"):
        surfaces.Custom(lambda p: np.full(p.shape[:-1], np.inf), quartic_grad, window=w,
                        minima=[(0, 0)])  # fmt: skip
    f = surfaces.Custom(lambda p: p, quartic_grad, window=w)  # returns the wrong shape
    with pytest.raises(ValueError, match=r"must be a function returning shape \(3,\)"):
        f.value(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="shape"):
        f.grad(np.zeros((3, 5)))
    with pytest.raises(TypeError, match="Surface is a base class"):
        surfaces.Surface()


# --- get ------------------------------------------------------------------------------------------
def test_get_by_name_and_keywords():
    for name in surfaces.SURFACES:
        assert type(surfaces.get(name)).__name__ == name
        assert type(surfaces.get(name.upper())).__name__ == name
    assert isinstance(surfaces.get("six-hump camel"), surfaces.SixHumpCamel)
    assert isinstance(surfaces.get("Styblinski_Tang"), surfaces.StyblinskiTang)
    assert surfaces.get("rosenbrock", b=10).b == 10.0
    assert surfaces.get("quadratic", condition_number=3, angle=1).A.shape == (2, 2)


def test_get_refuses_unknown_names():
    with pytest.raises(ValueError, match=r"The 'name' parameter of get must be one of Quadratic, "
                       r"Rosenbrock, .*StyblinskiTang \(case-insensitive\)\. Got 'rosenbrok'"):
        surfaces.get("rosenbrok")
    with pytest.raises(TypeError, match="The 'name' parameter of get must be a str"):
        surfaces.get(surfaces.Rosenbrock)
    with pytest.raises(TypeError):
        surfaces.get("booth", a=1)


# --- parameter refusals ------------------------------------------------------------------------
@pytest.mark.parametrize(("make", "message"), [
    (lambda: surfaces.Quadratic(condition_number=0.5),
     r"The 'condition_number' parameter of Quadratic must be a finite float in the range "
     r"\[1, inf\). Got 0.5 instead."),
    (lambda: surfaces.Quadratic(condition_number=np.inf), "'condition_number'.*Got inf"),
    (lambda: surfaces.Quadratic(angle=np.nan), "'angle' parameter of Quadratic.*Got nan"),
    (lambda: surfaces.Rosenbrock(b=0.0), r"'b' parameter of Rosenbrock.*\(0, inf\). Got 0.0"),
    (lambda: surfaces.Rosenbrock(a=np.inf), "'a' parameter of Rosenbrock"),
    (lambda: surfaces.Rastrigin(A=-1.0), r"'A' parameter of Rastrigin.*\[0, inf\). Got -1.0"),
])  # fmt: skip
def test_bad_parameters_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_parameters_of_the_wrong_type_are_refused():
    with pytest.raises(TypeError, match="The 'condition_number' parameter of Quadratic must be a "
                       "real number"):  # fmt: skip
        surfaces.Quadratic(condition_number="10")
    with pytest.raises(TypeError, match="'b' parameter of Rosenbrock"):
        surfaces.Rosenbrock(b=True)
