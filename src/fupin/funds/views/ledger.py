"""Pages of the four-level ledgers, sources, budgets, batches and transfers
(topic A). `urls` is joined into funds/urls.py."""

urls: list = []
