"""Checks that the catalogues match the code: every marked text translated, nothing stale or fuzzy.

`privacy-desk i18n check` prints the problems; the test suite runs the same check.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, po_files

ROOT = LOCALES_DIR.parent
SOURCE_DIRS = ("bot", "handlers", "storage")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "__": None, "lazy_gettext": None}


@dataclass
class Report:
    missing: dict[str, list[str]] = field(default_factory=dict)  # lang -> msgids absent
    untranslated: dict[str, list[str]] = field(default_factory=dict)  # lang -> msgids with empty msgstr
    fuzzy: dict[str, list[str]] = field(default_factory=dict)
    stale: dict[str, list[str]] = field(default_factory=dict)  # in the catalogue, not in the code
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # msgid in two files of one language

    def problems(self) -> list[str]:
        lines = []
        for title, table in (
            ("missing from the catalogue", self.missing),
            ("not translated", self.untranslated),
            ("fuzzy", self.fuzzy),
            ("no longer in the code", self.stale),
            ("in more than one .po file", self.duplicates),
        ):
            for lang, ids in table.items():
                lines += [f"{lang}: {title}: {msgid!r}" for msgid in ids]
        return lines


def code_messages(root: Path = ROOT) -> dict[str, str]:
    """msgid -> first place it is used, from every marked call in the code."""
    found: dict[str, str] = {}
    for directory in SOURCE_DIRS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            root / directory, keywords=KEYWORDS, comment_tags=()
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, f"{directory}/{filename}:{lineno}")
    return found


def check(root: Path = ROOT) -> Report:
    report = Report()
    in_code = code_messages(root)
    for lang in LANGUAGES:
        seen: dict[str, Path] = {}
        for path in po_files(lang, root / "locales"):
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
            for message in catalog:
                if not message.id:
                    continue
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                if msgid in seen:
                    report.duplicates.setdefault(lang, []).append(msgid)
                seen[msgid] = path
                if message.fuzzy:
                    report.fuzzy.setdefault(lang, []).append(msgid)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if lang != "en" and not all(strings):
                    report.untranslated.setdefault(lang, []).append(msgid)
                if msgid not in in_code:
                    report.stale.setdefault(lang, []).append(msgid)
        missing = sorted(set(in_code) - set(seen))
        if missing:
            report.missing[lang] = missing
    return report


def cmd_check(args: argparse.Namespace) -> int:
    problems = check().problems()
    for line in problems:
        print(line)
    if problems:
        return 1
    print("catalogues complete: " + ", ".join(LANGUAGES))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    i18n = subparsers.add_parser("i18n", help="translation catalogues")
    sub = i18n.add_subparsers(dest="i18n_command", metavar="ACTION", required=True)
    check_parser = sub.add_parser("check", help="every text of the code translated in every language")
    check_parser.set_defaults(func=cmd_check)
