"""Pages of the problems topic; `urls` is joined into supervision/urls.py."""

urls: list = []
