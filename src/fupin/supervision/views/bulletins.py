"""Pages of the bulletins topic; `urls` is joined into supervision/urls.py."""

urls: list = []
