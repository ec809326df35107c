"""Pages of the funds home page and the figures
(topic E). `urls` is joined into funds/urls.py."""

urls: list = []
