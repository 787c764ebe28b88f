from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    """The repository root (where _config.yml, _toc.yml and pyproject.toml live)."""
    return ROOT


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator per test: never a global seed."""
    return np.random.default_rng(20261123)
