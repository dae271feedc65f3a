"""Example Locust scenario for the bundled demo service (python -m loadgate.demo)."""

import random

from locust import HttpUser, between, task


class Shopper(HttpUser):
    wait_time = between(0.05, 0.2)

    @task(6)
    def list_items(self):
        self.client.get("/items")

    @task(3)
    def show_item(self):
        self.client.get(f"/items/{random.randint(1, 1000)}", name="/items/[id]")

    @task(1)
    def checkout(self):
        self.client.post("/checkout", json={"items": [1, 2, 3]})
