"""One error hierarchy for the whole application.

Services raise; the GUI and the CLI decide how to show. Two kinds, as in
qutebrowser: :class:`UserError` for problems the user can act on (bad input,
a locked or full disk, a database from a newer release) shown as a plain
message, and anything else, which is a bug: logged with its traceback and
shown in a crash dialog, never as a traceback in a form.
"""

from __future__ import annotations

from collections.abc import Mapping


class SijDeskError(Exception):
    """Base of every error SIJ Desk raises on purpose."""


class UserError(SijDeskError):
    """A problem the user can understand and act on; its text is shown as is."""


class EnvironmentProblem(UserError):
    """The environment failed us: disk full, database locked, read-only, corrupt."""


class SchemaTooNew(UserError):
    """The database was written by a newer SIJ Desk; we refuse to touch it."""


class NotFound(UserError):
    """A record the caller named does not exist."""


class PermissionDenied(UserError):
    """The signed-in user's role may not do this."""


class ValidationError(UserError):
    """Input that cannot be saved, with one plain message per field.

    ``errors`` maps a field name (as the caller spelled it, e.g. ``"nrs"`` or
    ``"odi_items[3]"``) to a sentence that can be shown beside that field.
    """

    def __init__(self, errors: Mapping[str, str]):
        self.errors: dict[str, str] = dict(errors)
        text = "; ".join(f"{field}: {message}" for field, message in self.errors.items())
        super().__init__(text or "invalid input")


class DuplicatePatient(UserError):
    """Registering would create a likely duplicate (same names and date of birth).

    ``matches`` lists the record numbers of the existing patients; the caller
    may show them and retry with ``allow_duplicate=True``.
    """

    def __init__(self, matches: list[str]):
        self.matches = list(matches)
        super().__init__(
            "A patient with the same names and date of birth is already registered: "
            + ", ".join(self.matches)
        )


class EditConflict(UserError):
    """Someone else saved the record after this user opened it; nothing was saved.

    ``changes`` maps each field the other save changed to (the value this user
    saw, the value now); ``current`` is the record as it is now, for the form to
    reload with the user's own changes on top. Both are empty/None when the
    clash was caught at the very moment of saving and nothing more is known.
    """

    def __init__(
        self,
        message: str,
        *,
        changes: Mapping[str, tuple[object, object]] | None = None,
        current: object = None,
    ):
        self.changes = dict(changes or {})
        self.current = current
        super().__init__(message)
