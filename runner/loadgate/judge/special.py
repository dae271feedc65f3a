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


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with df degrees of freedom."""
    return float(_special().stdtr(df, -t))


def t_ppf(p: float, df: float) -> float:
    """The t with P(T <= t) = p."""
    return float(_special().stdtrit(df, p))


def beta_cdf(x: float, a: float, b: float) -> float:
    return float(_special().betainc(a, b, x))


def beta_sf(x: float, a: float, b: float) -> float:
    return 1.0 - beta_cdf(x, a, b)


def beta_ppf(p: float, a: float, b: float) -> float:
    return float(_special().betaincinv(a, b, p))
