"""The old spellings of the command line, still understood: each is rewritten to the grammar of today before
the command runs, and a note on stderr names the new spelling (DESIGN §4).

| old                                          | new                                              |
|----------------------------------------------|--------------------------------------------------|
| ``reconcile BOOK --statement FILE``          | ``reconcile propose BOOK --statement FILE``      |
| ``--date`` of ``invoices credit``, ``query`` | ``--on`` (the date the record carries)           |
| ``--date`` of ``reconcile``                  | ``--on`` (the date of the import or posting)     |
| ``--date`` of ``close``                      | ``--today`` (the day the close runs as)          |
| ``--out FILE`` of ``export sage``, ``match``,| ``-o/--output FILE`` (``--out`` is a folder)     |
| ``statement normalize``, ``reconcile         |                                                  |
| customer``, ``addin build``                  |                                                  |
| ``close --smtp HOST:PORT``                   | ``close --send --smtp HOST:PORT``                |
| ``invoices ebm BOOK REPORT.csv``             | ``invoices ebm BOOK --report REPORT.csv``        |
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

GROUPS = frozenset({"invoices", "export", "statement", "reconcile", "addin", "arrangements", "report", "query"})
RECONCILE = frozenset({"propose", "approve", "post", "customer", "remittance"})
ON = {"--date": "--on"}
OUTPUT = {"--out": "--output"}
RENAMED: dict[tuple[str, ...], dict[str, str]] = {
    ("invoices", "credit"): ON,
    ("reconcile", "propose"): ON,
    ("reconcile", "post"): ON,
    ("reconcile", "customer"): OUTPUT,
    ("query", "add"): ON,
    ("query", "answer"): ON,
    ("query", "close"): ON,
    ("close",): {"--date": "--today"},
    ("export", "sage"): OUTPUT,
    ("statement", "normalize"): OUTPUT,
    ("match",): OUTPUT,
    ("addin", "build"): OUTPUT,
}
POSITIONAL: dict[tuple[str, ...], dict[int, str]] = {  # (command) -> {index of an old argument: its option now}
    ("invoices", "ebm"): {1: "--report"},
}
ROOT_VALUES = frozenset({"--wait"})  # options of `arxl` itself that take a value


UNLESS: dict[tuple[str, ...], str] = {("export", "sage"): "--through"}
"""Commands whose old option name is an option of today's too: it is the old spelling unless this one is given
(``export sage --out FILE`` was the file; ``--out DIR`` is today's folder of ``--through``)."""


def modernize(words: Sequence[str], root: Any) -> tuple[list[str], list[str]]:
    """The command line in today's grammar, and a note for each old spelling it had. ``root`` is the click
    group of ``arxl`` (typer's, vendored or not: only its ``commands`` and ``params`` are used)."""
    words = list(words)
    notes: list[str] = []
    i = 0
    while i < len(words) and words[i].startswith("-"):  # arxl's own options
        i += 2 if words[i] in ROOT_VALUES else 1
    if i >= len(words):
        return words, notes
    path = [words[i]]
    i += 1
    if path[0] in GROUPS and i < len(words):
        if path[0] == "reconcile" and words[i] not in RECONCILE and not words[i].startswith("-"):
            words.insert(i, "propose")
            notes.append('"arxl reconcile BOOK --statement FILE" is now "arxl reconcile propose BOOK --statement '
                         'FILE"')
        path.append(words[i])
        i += 1
    command = _command(root, path)
    if command is None:
        return words, notes
    shown = "arxl " + " ".join(path)
    takes_value = {name: not (getattr(p, "is_flag", False) or getattr(p, "count", False))
                   for p in command.params for name in [*p.opts, *p.secondary_opts]}
    renamed = RENAMED.get(tuple(path), {})
    moved = POSITIONAL.get(tuple(path), {})
    positional = 0
    rest = words[i:]
    marker = UNLESS.get(tuple(path))
    if marker is not None and not any(w.partition("=")[0] == marker for w in rest):
        takes_value = {name: value for name, value in takes_value.items() if name not in renamed}
    j = 0
    while j < len(rest):
        word = rest[j]
        if word == "--":
            break
        name, equals, value = word.partition("=")
        if name in renamed and name not in takes_value:
            new = renamed[name]
            rest[j] = new + equals + value
            notes.append(f'{name} of "{shown}" is now ' + ("-o/--output (--out is always a folder)"
                                                            if new == "--output" else new))
            name = new
        if name in takes_value:
            j += 2 if takes_value[name] and not equals else 1
            continue
        if not word.startswith("-"):
            if positional in moved:
                option = moved[positional]
                rest[j:j + 1] = [option, word]
                notes.append(f'the {positional + 1}{"nd" if positional == 1 else "th"} argument of "{shown}" is '
                             f"now {option} {word}")
                j += 1
            positional += 1
        j += 1
    if tuple(path) == ("close",) and any(w.partition("=")[0] == "--smtp" for w in rest) and "--send" not in rest:
        rest.append("--send")
        notes.append('"arxl close --smtp HOST:PORT" is now "arxl close --send --smtp HOST:PORT"')
    return words[:i] + rest, notes


def _command(root: Any, path: Sequence[str]) -> Any:
    """The click command a path of words names, or None (a typo: click says so itself)."""
    command = root
    for word in path:
        commands = getattr(command, "commands", None)
        if commands is None:
            return command
        command = commands.get(word)
        if command is None:
            return None
    return command
