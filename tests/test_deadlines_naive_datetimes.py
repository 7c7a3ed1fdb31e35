"""No naive datetimes anywhere in bot/: instants are aware UTC, dates are `date` plus a zone (issue 3).

An AST scan (not a regex) so comments and strings do not trip it. A line may opt out with
`# naive-ok: <reason>` when it builds a naive value on purpose (none does today).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
OPT_OUT = "naive-ok"


def _name(node: ast.AST) -> str:
    """Dotted name of a call target: `datetime.now`, `dt.datetime`, `date.today`..."""
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _has_kw(call: ast.Call, *names: str) -> bool:
    return any(k.arg in names for k in call.keywords) or any(k.arg is None for k in call.keywords)


def naive_uses(source: str) -> list[tuple[int, str]]:
    """(line, what) for each construct that makes or asks for a naive datetime."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        last = name.rsplit(".", 1)[-1]
        qualifier = name.rsplit(".", 2)[-2] if "." in name else ""
        problem = None
        if last in ("utcnow", "utcfromtimestamp") and qualifier == "datetime":  # not a project's own utcnow()
            problem = f"{name}() returns a naive datetime"
        elif last == "today" and qualifier in ("datetime", "date"):
            problem = f"{name}() uses the machine's local zone"
        elif last == "now" and qualifier == "datetime" and not node.args and not _has_kw(node, "tz"):
            problem = "datetime.now() without tz"
        elif last == "fromtimestamp" and qualifier == "datetime" and len(node.args) < 2 and not _has_kw(node, "tz"):
            problem = "datetime.fromtimestamp() without tz"
        elif name in ("datetime", "datetime.datetime") and len(node.args) < 8 and not _has_kw(node, "tzinfo"):
            problem = "datetime(...) without tzinfo"
        elif last == "combine" and qualifier == "datetime" and len(node.args) < 3 and not _has_kw(node, "tzinfo"):
            problem = "datetime.combine() without tzinfo"
        elif last == "replace" and any(
            k.arg == "tzinfo" and isinstance(k.value, ast.Constant) and k.value.value is None for k in node.keywords
        ):
            problem = ".replace(tzinfo=None) drops the zone"
        elif last == "strptime" and qualifier == "datetime":
            fmt = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(fmt, ast.Constant) and isinstance(fmt.value, str) and "%z" in fmt.value):
                problem = "datetime.strptime() without %z"
        if problem and OPT_OUT not in lines[node.lineno - 1]:
            found.append((node.lineno, problem))
    return found


def test_no_naive_datetimes_in_bot():
    problems = []
    for path in sorted(BOT.rglob("*.py")):
        for line, what in naive_uses(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(BOT.parent)}:{line}: {what}")
    assert not problems, "naive datetimes:\n" + "\n".join(problems)


@pytest.mark.parametrize("code", [
    "from datetime import datetime\nx = datetime.now()",
    "import datetime\nx = datetime.datetime.utcnow()",
    "from datetime import datetime\nx = datetime(2027, 1, 31, 12)",
    "from datetime import date\nx = date.today()",
    "from datetime import datetime\nx = datetime.today()",
    "from datetime import datetime\nx = datetime.fromtimestamp(0)",
    "from datetime import datetime\nx = datetime.utcfromtimestamp(0)",
    "from datetime import datetime, time\nx = datetime.combine(d, time())",
    "from datetime import datetime\nx = datetime.strptime(s, '%Y-%m-%d %H:%M')",
    "x = y.replace(tzinfo=None)",
])
def test_scanner_catches_naive_constructs(code):
    assert naive_uses(code)


@pytest.mark.parametrize("code", [
    "from datetime import UTC, datetime\nx = datetime.now(UTC)",
    "from datetime import UTC, datetime\nx = datetime.now(tz=UTC)",
    "from datetime import UTC, datetime\nx = datetime(2027, 1, 31, 12, tzinfo=UTC)",
    "from datetime import UTC, datetime\nx = datetime.fromtimestamp(0, UTC)",
    "from datetime import datetime, time\nx = datetime.combine(d, time(), tzinfo=z)",
    "from datetime import datetime\nx = datetime.strptime(s, '%Y-%m-%dT%H:%M%z')",
    "from datetime import datetime\nx = datetime(2027, 1, 31)  # naive-ok: a test fixture",
    "x = '''datetime.now()'''",
    "from storage.base import utcnow\nx = utcnow()",
])
def test_scanner_accepts_aware_constructs(code):
    assert not naive_uses(code)
