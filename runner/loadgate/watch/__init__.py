"""Stage 3, watch: while the load runs, live progress and the abort_on_fail guard."""
