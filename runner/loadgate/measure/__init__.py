"""Stage 4, measure: every figure read from Prometheus through one reader, PromQL written in
one place (promql.py), over the evaluation window, sliding windows and the charts timeline."""
