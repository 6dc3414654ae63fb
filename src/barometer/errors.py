"""The one error type of the barometer: a problem code, a message, an exit code and an HTTP status.

Anything a user can cause or fix is raised as a :class:`BarometerError` (or a subclass declared beside the code
that raises it). The command line turns it into ``error: MESSAGE`` and its exit code in one place
(``barometer.cliapp``); the website turns it into the JSON error envelope or the HTML error page with its status in
one place (``barometer.web.app``). The code names a kind in the problem catalogue (``problems.toml``,
docs/problems.md), so scripts can tell problems apart without parsing messages.

Exit codes: 2 for input or arguments the user can correct, 1 for a failure the arguments did not cause.
"""

from __future__ import annotations

from typing import ClassVar

from barometer.problems import problem_kind


class BarometerError(Exception):
    """A problem to report to the user; subclasses set the defaults of code, exit code and status."""

    code: ClassVar[str] = "failure"
    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, code: str | None = None, exit_code: int | None = None,
                 http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Instance values shadow the class defaults; the code must be one the catalogue declares.
        if code is not None:
            self.code = code  # type: ignore[misc]
        problem_kind(self.code)
        if exit_code is not None:
            self.exit_code = exit_code  # type: ignore[misc]
        if http_status is not None:
            self.http_status = http_status  # type: ignore[misc]

    def __str__(self) -> str:
        return self.message

    @property
    def title(self) -> str:
        """The kind's title from the catalogue (e.g. "Unknown setting")."""
        return problem_kind(self.code).title


class UsageError(BarometerError, ValueError):
    """A command-line option or argument the command cannot use (the message names it)."""

    code = "bad_argument"
    exit_code = 2
    http_status = 422
