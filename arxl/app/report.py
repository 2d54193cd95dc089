"""What a job reports: a few lines for the accountant, the problems with their cells, the files written.

Kept apart from :mod:`arxl.app.jobs` so that the command line can know these types without loading a workbook
library at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from arxl.core.errors import Problem


@dataclass(slots=True)
class Report:
    """The outcome of a job, for the console, the status bar and the Log sheet."""

    job: str
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    refused: bool = False
    reasons: list[str] = field(default_factory=list)  # why it was refused, for stderr / the alert
    table: list[tuple[str, ...]] = field(default_factory=list)  # rows to show as a table, the header first

    def say(self, text: str) -> None:
        self.lines.append(text)

    def refuse(self, reason: str) -> Report:
        """Mark the job refused (bad input: exit 2, an alert in Excel) and say why."""
        self.refused = True
        self.reasons.append(reason)
        return self

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def headline(self) -> str:
        if self.refused:
            return self.reasons[0] if self.reasons else (str(self.errors[0]) if self.errors else f"{self.job}: refused")
        return self.lines[0] if self.lines else f"{self.job}: done"


class Refused(Exception):
    """A job stopped on bad input; its report says why."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.headline)
        self.report = report
