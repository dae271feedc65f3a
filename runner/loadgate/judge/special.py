"""The distribution functions the estimates need, from scipy.special (pure).

scipy.special's functions take scalars as cheaply as arrays (about a microsecond a call, where
scipy.stats' distribution objects take some 50: ``loadgate compare`` asks thousands of
questions).  Imported on first use: scipy's and numpy's imports (~0.4 s and ~0.25 s here) would
otherwise delay every run and every ``loadgate validate``, and only a comparison needs them.
"""

from __future__ import annotations

from functools import cache


@cache
def _special():
    from scipy import special

    return special


def load() -> None:
    """Imports scipy.special now (``loadgate compare``: while a child reads the runs)."""
    _special()


def t_sf(t, df):
    """P(T > t) for Student's t with df degrees of freedom (floats, or arrays: one call for many)."""
    return _scalar_or_array(_special().stdtr(df, -t))


def t_ppf(p, df):
    """The t with P(T <= t) = p (floats, or arrays)."""
    return _scalar_or_array(_special().stdtrit(df, p))


def _scalar_or_array(out):
    return float(out) if out.ndim == 0 else out


def beta_cdf(x: float, a: float, b: float) -> float:
    return float(_special().betainc(a, b, x))


def beta_sf(x: float, a: float, b: float) -> float:
    return 1.0 - beta_cdf(x, a, b)


def beta_ppf(p: float, a: float, b: float) -> float:
    return float(_special().betaincinv(a, b, p))
