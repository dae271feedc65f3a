"""Stage 5, judge: pure, values in and results out: thresholds, sliding windows, baselines."""
