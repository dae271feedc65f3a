"""``loadgate compare BASELINE... CURRENT``: what changed between runs, with the noise measured.

runs.py reads the results.json files (the same hardened reading as ``--baseline``);
changes.py compares them (pure, with the regression gate's own statistics: judge/estimates.py,
judge/significance.py); formats.py writes the console table, Markdown or JSON.
"""
