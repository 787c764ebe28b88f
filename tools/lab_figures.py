"""Draw one figure of each kind the optimization laboratory makes, into benchmarks/results/figures.

A smoke test of the whole lab (surfaces, trajectories, train, landscape, plotting) on real
runs, and the pictures the closing notes and the book's appendix point at:

    .venv/bin/python tools/lab_figures.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import optlearn as ol
from optlearn import landscape, plotting, surfaces, trajectories

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "figures"


def save(ax, name):
    fig = (ax.flat[0] if isinstance(ax, np.ndarray) else ax).figure
    fig.savefig(OUT / f"{name}.png")
    plt.close(fig)
    print(OUT / f"{name}.png")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rosen = surfaces.Rosenbrock()
    save(plotting.plot_surface(rosen), "surface_rosenbrock")
    start = [[-1.5, 2.0]]
    paths = {
        "SGD": trajectories.run(rosen, "SGD", start, 3000, lr=1e-3).positions,
        "SGD momentum 0.9": trajectories.run(rosen, "SGD", start, 3000, lr=1e-3,
                                             momentum=0.9).positions,
        "Adam": trajectories.run(rosen, "Adam", start, 3000, lr=0.05).positions,
    }  # fmt: skip
    save(plotting.plot_paths(paths, surface=rosen), "paths_rosenbrock")
    bowl = surfaces.Quadratic(condition_number=20.0, angle=0.5)
    grid = {"lr": list(np.geomspace(1e-3, 0.2, 40)), "momentum": list(np.linspace(0, 0.99, 40))}
    res = trajectories.sweep(bowl, "SGD", grid, [1.0, 1.0], 300, tol=1e-8)
    save(plotting.plot_phase_diagram(grid["lr"], grid["momentum"], res.status.T, xlabel="lr",
                                     ylabel="momentum"), "phase_diagram_quadratic")  # fmt: skip

    ds = ol.data.load_digits(seed=0)
    net = ol.nn.MLP([64, 32, 10], activation="tanh", dtype=np.float64, seed=0)
    start_params = landscape.get_params(net)
    opt = ol.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    sched = ol.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
    history = ol.train.fit(net, opt, ds.train, ds.val, epochs=20, batch_size=64,
                           scheduler=sched, progress=False)  # fmt: skip
    save(plotting.plot_history(history), "history_digits")
    save(plotting.plot_grad_norms(history), "grad_norms_digits")
    sopt = ol.optim.SGD([np.zeros(1)], lr=0.1)
    save(plotting.plot_schedule(ol.optim.lr_scheduler.OneCycleLR(sopt, max_lr=0.1,
                                                                 total_steps=200), steps=200),
         "schedule_onecycle")  # fmt: skip
    X, y = ds.train.X[:400], ds.train.y[:400]
    s1 = landscape.slice_1d(net, X, y, start_params, landscape.get_params(net), extend=(0.2, 0.2))
    save(plotting.plot_landscape_1d(s1.alphas, s1.losses), "landscape_1d_digits")
    s2 = landscape.slice_2d(net, X, y, num=21, span=1.0)
    save(plotting.plot_landscape_2d(s2.alphas, s2.betas, s2.losses), "landscape_2d_digits")
    eig = landscape.hessian_eigs(net, X, y, k=6, which="both")
    save(plotting.plot_spectrum(eig), "spectrum_digits")
    html = plotting.animate_paths(paths, surface=rosen, frames=30)
    (OUT / "paths_rosenbrock_animation.html").write_text(str(html))
    print(OUT / "paths_rosenbrock_animation.html")


if __name__ == "__main__":
    main()
