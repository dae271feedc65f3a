"""Stage 2, stack: Prometheus and Locust as local children or a docker compose project, torn
down on every exit path; the load loop every stack shares."""
