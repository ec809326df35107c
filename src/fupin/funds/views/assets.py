"""Pages of the assets, their ownership, upkeep, disposal and income distribution
(topic D). `urls` is joined into funds/urls.py."""

urls: list = []
