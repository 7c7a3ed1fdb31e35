"""Read a policy YAML file into a `Policy`, or fail with every problem and its YAML path.

Problems are collected, not raised one by one: an operator fixing a long file wants the whole list.
YAML syntax errors carry line and column; duplicate mapping keys (which PyYAML would silently merge)
are errors; schema errors get the line of the offending value appended when it can be found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.policy.check import Problem, consistency_problems
from bot.policy.schema import Policy


class PolicyError(Exception):
    """A policy file that cannot be used; `problems` lists (yaml_path, message)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(f"{p}: {m}" if p else m for p, m in self.problems))


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


# libyaml's parser when PyYAML was built with it (about 10x faster on a long policy), else pure Python.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):
    """Safe loader that refuses duplicate keys in a mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int) and key in seen:
                raise _DuplicateKey(
                    "while constructing a mapping",
                    node.start_mark,
                    f"duplicate key '{key}'",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _StrictLoader.construct_mapping)

# pydantic's wording replaced by shorter words an operator recognises.
_MESSAGES = {
    "missing": "field required",
    "extra_forbidden": "unknown field (not allowed here)",
    "string_too_short": "must not be empty",
    "model_type": "expected a mapping of fields (key: value)",
    "model_attributes_type": "expected a mapping of fields (key: value)",
    "dict_type": "expected a mapping (key: value)",
    "list_type": "expected a list (- item)",
}


def _format_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            out += " (key)"
        else:
            out += f".{part}" if out else str(part)
    return out


def _line_map(node: yaml.Node | None, path: tuple[Any, ...] = (), into: dict | None = None) -> dict:
    """Path tuple -> 1-based line, for every value in the composed YAML tree."""
    into = {} if into is None else into
    if node is None:
        return into
    into[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            into[(*path, key)] = key_node.start_mark.line + 1
            _line_map(value_node, (*path, key), into)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*path, i), into)
    return into


def _line_of(lines: dict, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest existing part of `loc` (a missing field points at its parent)."""
    loc = tuple(p for p in loc if p != "[key]")
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None


def _validation_problems(error: ValidationError, lines: dict) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        message = _MESSAGES.get(item["type"], item["msg"])
        message = message.removeprefix("Value error, ")
        message = message[:1].lower() + message[1:]
        line = _line_of(lines, item["loc"])
        if line is not None:
            message += f" (line {line})"
        problems.append((_format_path(item["loc"]), message))
    return problems


def _compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the Python data, from one parse."""
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def parse_policy(text: str) -> Policy:
    """Validate YAML text as a policy; raises PolicyError with every problem found."""
    try:
        root, data = _compose_and_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        what = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, _DuplicateKey):
            raise PolicyError([("", f"{what} at {where} (each key once per mapping)")]) from None
        raise PolicyError([("", f"YAML syntax error at {where}: {what}")]) from None
    except yaml.YAMLError as exc:
        raise PolicyError([("", f"YAML syntax error: {exc}")]) from None
    if not isinstance(data, dict):
        raise PolicyError([("", "the file must be a YAML mapping with operator, contacts, topics, facts...")])
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_validation_problems(exc, _line_map(root))) from None
    problems = consistency_problems(policy)
    if problems:
        lines = _line_map(root)
        located = []
        for path, message in problems:
            loc = tuple(_split_path(path))
            line = _line_of(lines, loc)
            located.append((path, f"{message} (line {line})" if line is not None else message))
        raise PolicyError(located)
    return policy


def _split_path(path: str) -> list[Any]:
    parts: list[Any] = []
    for chunk in path.replace("[", ".[").split("."):
        if not chunk:
            continue
        parts.append(int(chunk[1:-1]) if chunk.startswith("[") else chunk)
    return parts


def load_policy(path: str | Path) -> Policy:
    """Read and validate one policy file; raises PolicyError (never a YAML or pydantic exception)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([("", f"cannot read the file: {exc}")]) from None
    return parse_policy(text)
