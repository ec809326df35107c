"""Every environment variable fupin reads is in fupin.settings.ENVIRONMENT and in README.md's settings table, with
the same default and words, and is read through settings.env() alone: a variable added, renamed or dropped in the
code without the README, or the other way round, fails here."""

import ast
import re
from pathlib import Path

from fupin import settings

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "fupin"
HEADER = "| variable | default | what it does |"


def _plain(cell: str) -> str:
    return cell.replace("`", "").strip()


def readme_rows() -> dict[str, tuple[str, str]]:
    """The settings table of README.md: variable → (default, what it does), backticks dropped."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER) + 2  # the header and its --- line
    rows = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        name, default, about = (_plain(cell) for cell in line.strip().strip("|").split(" | "))
        assert name not in rows, f"README.md lists {name} twice"
        rows[name] = (default, about)
    return rows


def _calls(tree: ast.AST):
    """(name, literal default or None) of every env("NAME", …) call, and `env("NAME") or <literal>`."""
    fallbacks = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and isinstance(node.values[1], ast.Constant):
            fallbacks[id(node.values[0])] = node.values[1].value
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "env" and node.args:
            name = node.args[0]
            assert isinstance(name, ast.Constant), f"env() with a computed name at line {node.lineno}"
            default = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else None
            yield name.value, fallbacks.get(id(node), default)


def _environment_reads(tree: ast.AST):
    """Line numbers where the process environment is read (os.environ.get, os.environ[…], os.getenv, or either taken
    from os by name); setting it (setdefault, assignment) is not reading."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            if {alias.name for alias in node.names} & {"environ", "getenv"}:
                yield node.lineno
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.environ.get", "os.getenv"):
            yield node.lineno
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and ast.unparse(node.value) == "os.environ"
        ):
            yield node.lineno


def test_the_readme_table_is_the_settings_table():
    documented = readme_rows()
    table = {name: (_plain(v.default), _plain(v.about)) for name, v in settings.ENVIRONMENT.items()}
    missing = [
        f"| `{name}` | {v.default} | {v.about} |" for name, v in settings.ENVIRONMENT.items() if name not in documented
    ]
    assert not missing, "README.md's settings table lacks:\n" + "\n".join(missing)
    assert not documented.keys() - table.keys(), (
        f"README.md names variables fupin no longer reads: {documented.keys() - table.keys()}"
    )
    unlike = {name: (documented[name], table[name]) for name in table if documented[name] != table[name]}
    assert not unlike, f"README.md and settings.ENVIRONMENT differ (README, settings): {unlike}"


def test_every_variable_is_read_through_env_and_every_one_documented_is_read():
    read, outside = set(), []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, default in _calls(tree):
            assert name in settings.ENVIRONMENT, f"{path.relative_to(ROOT)} reads {name}, not in settings.ENVIRONMENT"
            documented = _plain(settings.ENVIRONMENT[name].default)
            if default not in (None, ""):
                assert documented == str(default), (
                    f"{name}: the code's default is {default!r}, the table's {documented!r}"
                )
            read.add(name)
        if path != SOURCE / "settings.py":
            outside += [f"{path.relative_to(ROOT)}:{line}" for line in _environment_reads(tree)]
    assert not outside, f"the environment read outside fupin.settings.env(): {outside}"
    assert settings.ENVIRONMENT.keys() == read, f"documented but never read: {settings.ENVIRONMENT.keys() - read}"


def test_the_docs_name_only_variables_that_exist():
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "scripts").iterdir())]
    named = {
        (name, path.name)
        for path in texts
        if path.is_file()
        for name in re.findall(r"\bFUPIN_[A-Z_]*[A-Z]", path.read_text(encoding="utf-8"))
    }
    unknown = sorted(pair for pair in named if pair[0] not in settings.ENVIRONMENT)
    assert not unknown, f"the documents name variables fupin does not read: {unknown}"
