"""Pages of the checks topic; `urls` is joined into supervision/urls.py."""

urls: list = []
