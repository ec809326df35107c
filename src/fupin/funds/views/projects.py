"""Pages of the project library, its procedure, implementation, acceptance and the bulletin
(topic B). `urls` is joined into funds/urls.py."""

urls: list = []
