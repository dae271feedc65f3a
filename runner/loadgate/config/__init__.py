"""Stage 1, config: slo.yaml (schema, parsing, errors with file:line:key) and the run plan."""
