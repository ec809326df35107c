"""The funds admin, one module a topic."""
