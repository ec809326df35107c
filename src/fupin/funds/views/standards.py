"""Pages of the subsidy standards and a project's computed subsidy
(topic C). `urls` is joined into funds/urls.py."""

urls: list = []
