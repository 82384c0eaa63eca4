"""Who may use the clinic database: first-run set-up, sign-in, sessions and users.

Passwords are hashed with argon2id (argon2-cffi). Its defaults (RFC 9106's
low-memory profile: 64 MiB, 3 passes, 4 lanes) are above the OWASP minimum
(19 MiB, 2 passes, 1 lane); a stored hash made with weaker parameters is
replaced at the next good sign-in.

Repeated failed sign-ins make the account wait before the next attempt; the
count and the wait are stored on the user row, so restarting the program does
not reset them. Unknown names, wrong passwords and disabled accounts get the
same sentence, and every attempt is audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sijdesk.db.engine import Database
from sijdesk.errors import NotFound, UserError, ValidationError
from sijdesk.models import ClinicSettings, User, UserRole, utcnow
from sijdesk.services.context import (
    ADMIN_ROLES,
    ALL_ROLES,
    ROLE_ORDER,
    Actor,
    ServiceBase,
    actor_of,
    record_event,
)

# Module-level so the test suite can swap in cheap parameters (and a test can
# raise them to see a rehash); production code never changes it.
HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# From the third failure in a row the account waits 10 s, then 20 s, 40 s ...
FREE_FAILURES = 2
FIRST_WAIT = timedelta(seconds=10)
LONGEST_WAIT = timedelta(minutes=15)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

WRONG_CREDENTIALS = "The username or password is not right."


class SignInFailed(UserError):
    """A sign-in or unlock that was refused; the text is safe to show as is."""


class SetupNeeded(UserError):
    """The database has no account yet: the first administrator must be created."""


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    # Set after an administrator reset the password: choose a new one first.
    must_change_password: bool = False


def wait_after(failures: int) -> timedelta | None:
    """How long the account waits after ``failures`` failed sign-ins in a row."""
    if failures <= FREE_FAILURES:
        return None
    doublings = min(failures - FREE_FAILURES - 1, 20)
    return min(FIRST_WAIT * (2**doublings), LONGEST_WAIT)


def normalise_username(name: Any) -> str:
    if not isinstance(name, str):
        return ""
    # PostgreSQL cannot store or compare a NUL; no real username holds one.
    return name.strip().lower().replace("\x00", "\ufffd")


def check_username(name: Any, field: str = "username") -> str:
    username = normalise_username(name)
    if not _USERNAME.match(username):
        raise ValidationError(
            {
                field: "must be 2 to 64 characters: letters, digits, dots, dashes or "
                "underscores, starting with a letter or digit"
            }
        )
    return username


def check_new_password(password: Any, username: str, field: str = "password") -> str:
    """Refuse passwords a clinic should not use; returns the password unchanged."""
    if not isinstance(password, str) or not password:
        raise ValidationError({field: "is required"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError({field: f"must be at least {MIN_PASSWORD_LENGTH} characters"})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError({field: f"must be at most {MAX_PASSWORD_LENGTH} characters"})
    if "\x00" in password:
        raise ValidationError({field: "must not contain a NUL character"})
    if password.strip().lower() == username.lower():
        raise ValidationError({field: "must not be the username"})
    if len(set(password)) < 3:
        raise ValidationError({field: "is too easy to guess; use a few different characters"})
    return password


def check_display_name(name: Any, field: str = "display_name") -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise ValidationError({field: "is required"})
    if len(text) > 200:
        raise ValidationError({field: "must be at most 200 characters"})
    if any(ord(ch) < 32 for ch in text):
        raise ValidationError({field: "must be on one line"})
    return text


def check_roles(roles: Any, field: str = "roles") -> frozenset[str]:
    if isinstance(roles, str) or not isinstance(roles, Iterable):
        raise ValidationError({field: "must be a list of roles"})
    chosen = frozenset(roles)
    unknown = sorted(str(r) for r in chosen - ALL_ROLES)
    if unknown:
        raise ValidationError(
            {field: f"unknown roles {unknown}; allowed: " + ", ".join(ROLE_ORDER)}
        )
    if not chosen:
        raise ValidationError({field: "choose at least one role"})
    return chosen


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """Constant work whether or not there is a stored hash (no timing hint)."""
    try:
        return HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY: dict[int, str] = {}


def _dummy_hash() -> str:
    # Per hasher, so a changed HASHER (tests) still costs the same as a real verify.
    key = id(HASHER)
    if key not in _DUMMY:
        _DUMMY[key] = HASHER.hash("sijdesk: no such account")
    return _DUMMY[key]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _roles_from(user: User, roles: frozenset[str]) -> None:
    current = {row.role: row for row in user.role_rows}
    for role, row in current.items():
        if role not in roles:
            user.role_rows.remove(row)
    for role in roles:
        if role not in current:
            user.role_rows.append(UserRole(role=role))


class AccountService:
    """Set-up and sign-in: the only services that act before anyone is signed in."""

    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow):
        self.db = db
        self.now = now

    def is_demo(self) -> bool:
        """A demonstration clinic (fictional patients, published passwords)."""
        with self.db.read() as session:
            settings = session.get(ClinicSettings, 1)
            return bool(settings is not None and settings.is_demo)

    def setup_needed(self) -> bool:
        """True while no account with a password exists (a new clinic database)."""
        with self.db.read() as session:
            return not session.scalar(
                select(func.count()).select_from(User).where(User.password_hash.is_not(None))
            )

    def initialise(
        self,
        *,
        username: str,
        password: str,
        display_name: str,
        also_clinician: bool = False,
        clinic: Mapping[str, str] | None = None,
        is_demo: bool = False,
    ) -> SignedIn:
        """Create the first administrator (and the clinic's name and address)."""
        errors: dict[str, str] = {}
        name = ""
        try:
            name = check_username(username)
        except ValidationError as exc:
            errors.update(exc.errors)
        try:
            check_display_name(display_name)
        except ValidationError as exc:
            errors.update(exc.errors)
        try:
            check_new_password(password, name or normalise_username(username))
        except ValidationError as exc:
            errors.update(exc.errors)
        clinic_fields = {k: (v or "").strip() for k, v in (clinic or {}).items()}
        unknown = [
            k for k in clinic_fields if k not in ("clinic_name", "address", "phone", "email")
        ]
        for key in unknown:
            errors[key] = "is not a clinic detail"
        if any(len(v) > 1000 for v in clinic_fields.values()):
            errors.update({k: "is too long" for k, v in clinic_fields.items() if len(v) > 1000})
        if errors:
            raise ValidationError(errors)
        hashed = hash_password(password)
        now = self.now()
        with self.db.write() as session:
            has_account = session.scalar(
                select(func.count()).select_from(User).where(User.password_hash.is_not(None))
            )
            if has_account:
                raise UserError(
                    "This clinic database already has an administrator; sign in instead."
                )
            user = session.scalar(select(User).where(User.username == name))
            if user is None:
                user = User(username=name, display_name="")
                session.add(user)
            user.display_name = check_display_name(display_name)
            user.password_hash = hashed
            user.password_changed_at = now
            user.active = True
            user.must_change_password = False
            _roles_from(user, frozenset({"admin", "clinician"} if also_clinician else {"admin"}))
            session.flush()
            settings = session.get(ClinicSettings, 1)
            if settings is not None:
                for key, value in clinic_fields.items():
                    setattr(settings, key, value)
                settings.is_demo = is_demo
                settings.updated_at = now
                settings.updated_by_id = user.id
            record_event(
                self.db,
                session,
                user.id,
                "setup",
                "user",
                user.id,
                summary=f"first administrator {name}",
                details={"roles": sorted(user.roles), "clinic": sorted(clinic_fields)},
            )
            return SignedIn(actor_of(user), False)

    def sign_in(self, username: str, password: str, *, action: str = "signin") -> SignedIn:
        """Check a password and return who signed in; refusals raise SignInFailed.

        ``action`` is "signin" or "unlock" (the same checks, audited as such).
        """
        name = normalise_username(username)
        if not isinstance(password, str):
            password = ""
        with self.db.read() as session:
            user = session.scalar(select(User).where(User.username == name)) if name else None
            stored = user.password_hash if user is not None else None
            user_id = user.id if user is not None else None
            active = bool(user is not None and user.active)
            blocked_until = _aware(user.signin_blocked_until) if user is not None else None
        now = self.now()
        if user_id is not None and blocked_until is not None and blocked_until > now:
            seconds = max(1, int((blocked_until - now).total_seconds() + 0.999))
            with self.db.write() as session:
                record_event(
                    self.db,
                    session,
                    user_id,
                    f"{action}.refused",
                    "user",
                    user_id,
                    summary="refused: waiting after failed sign-ins",
                    details={"wait_seconds": seconds},
                )
            raise SignInFailed(
                "Too many wrong passwords for this account. "
                f"Wait {_duration(seconds)} and try again, or ask an administrator."
            )
        # Verified outside any transaction: hashing takes a while and must not
        # hold the database's write lock.
        good = password_matches(stored, password[:MAX_PASSWORD_LENGTH])
        if not good or not active:
            reason = (
                "unknown user"
                if user_id is None
                else ("disabled account" if not active else "wrong password")
            )
            with self.db.write() as session:
                details: dict[str, Any] = {"reason": reason}
                if user_id is None:
                    # Who tried is all there is to know; kept short, never a password.
                    details["username"] = name[:64]
                else:
                    row = session.get(User, user_id)
                    if good and not active:
                        pass  # a disabled account's right password is not a failure to count
                    elif row is not None:
                        row.failed_signins = (row.failed_signins or 0) + 1
                        wait = wait_after(row.failed_signins)
                        row.signin_blocked_until = now + wait if wait else None
                        details["failures"] = row.failed_signins
                record_event(
                    self.db,
                    session,
                    user_id,
                    f"{action}.failed",
                    "user",
                    user_id,
                    summary=f"{action} failed: {reason}",
                    details=details,
                )
            raise SignInFailed(WRONG_CREDENTIALS)
        with self.db.write() as session:
            row = session.get(User, user_id)
            assert row is not None
            row.failed_signins = 0
            row.signin_blocked_until = None
            row.last_signin_at = now
            details = {}
            if row.password_hash and HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
                details["rehashed"] = True
            record_event(
                self.db, session, row.id, action, "user", row.id, summary=action, details=details
            )
            return SignedIn(actor_of(row), bool(row.must_change_password))


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"


class SessionService(ServiceBase):
    """The signed-in user's own session: password, lock, sign-out."""

    log_name = "session"

    def change_password(self, current: str, new: str) -> None:
        self.require(ALL_ROLES, "change your password")
        check_new_password(new, self.actor.username, "new_password")
        with self.db.read() as session:
            user = session.get(User, self.actor.id)
            stored = user.password_hash if user else None
        if not password_matches(stored, current if isinstance(current, str) else ""):
            with self.db.write() as session:
                self.audit(
                    session,
                    "password.change.failed",
                    "user",
                    self.actor.id,
                    summary="current password not right",
                )
            raise ValidationError({"current_password": "is not right"})
        if password_matches(stored, new):
            raise ValidationError({"new_password": "must differ from the current password"})
        hashed = hash_password(new)
        with self.db.write() as session:
            user = session.get(User, self.actor.id)
            if user is None or not user.active:
                raise NotFound("Your account is no longer active.")
            user.password_hash = hashed
            user.password_changed_at = utcnow()
            user.must_change_password = False
            self.audit(session, "password.change", "user", user.id, summary="own password changed")

    def sign_out(self) -> None:
        self.require(ALL_ROLES, "sign out")
        with self.db.write() as session:
            self.audit(session, "signout", "user", self.actor.id, summary="signed out")

    def lock(self, *, reason: str = "idle") -> None:
        self.require(ALL_ROLES, "lock the window")
        with self.db.write() as session:
            self.audit(
                session,
                "lock",
                "user",
                self.actor.id,
                summary=f"locked ({reason})",
                details={"reason": reason},
            )

    def unlock(self, password: str) -> SignedIn:
        """The same user again, by password (counted and audited like a sign-in)."""
        self.require(ALL_ROLES, "unlock the window")
        return AccountService(self.db).sign_in(self.actor.username, password, action="unlock")

    def record_discarded_work(self, forms: list[str], *, taken_over_by: str) -> None:
        """The locked user's unsaved forms were dropped because someone else signed in."""
        self.require(ALL_ROLES, "record discarded work")
        with self.db.write() as session:
            self.audit(
                session,
                "work.discarded",
                "user",
                self.actor.id,
                summary="unsaved input discarded at the lock screen "
                f"({', '.join(forms) or 'none'})",
                details={"forms": forms, "next_user": taken_over_by},
            )


@dataclass(frozen=True)
class UserSummary:
    id: int
    username: str
    display_name: str
    credentials: str
    roles: frozenset[str]
    active: bool
    must_change_password: bool
    failed_signins: int
    last_signin_at: datetime | None
    blocked_until: datetime | None

    @property
    def role_label(self) -> str:
        return ", ".join(r for r in ROLE_ORDER if r in self.roles) or "no role"


def _user_summary(user: User) -> UserSummary:
    return UserSummary(
        user.id,
        user.username,
        user.display_name,
        user.credentials or "",
        user.roles,
        bool(user.active),
        bool(user.must_change_password),
        user.failed_signins or 0,
        _aware(user.last_signin_at),
        _aware(user.signin_blocked_until),
    )


class UserService(ServiceBase):
    """The administrator's management of accounts. Users are disabled, never deleted."""

    log_name = "users"

    def all_users(self) -> list[UserSummary]:
        self.require(ADMIN_ROLES, "manage users")
        with self.db.read() as session:
            users = session.scalars(select(User).order_by(User.username)).all()
            return [_user_summary(u) for u in users if u.password_hash is not None or u.active]

    def get(self, user_id: int) -> UserSummary:
        self.require(ADMIN_ROLES, "manage users")
        with self.db.read() as session:
            return _user_summary(self._user(session, user_id))

    def create(
        self,
        *,
        username: str,
        display_name: str,
        roles: Iterable[str],
        password: str,
        credentials: str = "",
        must_change_password: bool = True,
    ) -> UserSummary:
        self.require(ADMIN_ROLES, "create users")
        errors: dict[str, str] = {}
        name = ""
        try:
            name = check_username(username)
        except ValidationError as exc:
            errors.update(exc.errors)
        for check in (lambda: check_display_name(display_name), lambda: check_roles(roles)):
            try:
                check()
            except ValidationError as exc:
                errors.update(exc.errors)
        try:
            check_new_password(password, name or str(username))
        except ValidationError as exc:
            errors.update(exc.errors)
        if not isinstance(credentials, str) or len(credentials) > 200:
            errors["credentials"] = "must be at most 200 characters"
        if errors:
            raise ValidationError(errors)
        chosen = check_roles(roles)
        hashed = hash_password(password)
        with self.db.write() as session:
            if session.scalar(select(User).where(User.username == name)) is not None:
                raise ValidationError({"username": f"{name} is already taken"})
            user = User(
                username=name,
                display_name=check_display_name(display_name),
                credentials=credentials.strip() or None,
                password_hash=hashed,
                password_changed_at=utcnow(),
                must_change_password=must_change_password,
                active=True,
            )
            _roles_from(user, chosen)
            session.add(user)
            session.flush()
            self.audit(
                session,
                "user.create",
                "user",
                user.id,
                summary=f"user {name}",
                details={"roles": sorted(chosen)},
            )
            return _user_summary(user)

    def set_roles(self, user_id: int, roles: Iterable[str]) -> UserSummary:
        self.require(ADMIN_ROLES, "change roles")
        chosen = check_roles(roles)
        with self.db.write() as session:
            user = self._user(session, user_id)
            before = sorted(user.roles)
            if "admin" in user.roles and "admin" not in chosen:
                self._keep_an_admin(session, user)
            _roles_from(user, chosen)
            session.flush()
            self.audit(
                session,
                "user.roles",
                "user",
                user.id,
                summary=f"roles of {user.username}",
                details={"before": before, "after": sorted(chosen)},
            )
            return _user_summary(user)

    def update(self, user_id: int, *, display_name: str, credentials: str = "") -> UserSummary:
        self.require(ADMIN_ROLES, "change users")
        name = check_display_name(display_name)
        if not isinstance(credentials, str) or len(credentials) > 200:
            raise ValidationError({"credentials": "must be at most 200 characters"})
        with self.db.write() as session:
            user = self._user(session, user_id)
            before = {"display_name": user.display_name, "credentials": user.credentials or ""}
            user.display_name = name
            user.credentials = credentials.strip() or None
            self.audit(
                session,
                "user.update",
                "user",
                user.id,
                summary=f"user {user.username}",
                details={
                    "before": before,
                    "after": {"display_name": name, "credentials": credentials.strip()},
                },
            )
            return _user_summary(user)

    def disable(self, user_id: int) -> UserSummary:
        self.require(ADMIN_ROLES, "disable users")
        if user_id == self.actor.id:
            raise UserError("You cannot disable your own account; ask another administrator.")
        with self.db.write() as session:
            user = self._user(session, user_id)
            if "admin" in user.roles:
                self._keep_an_admin(session, user)
            user.active = False
            self.audit(session, "user.disable", "user", user.id, summary=f"user {user.username}")
            return _user_summary(user)

    def enable(self, user_id: int) -> UserSummary:
        self.require(ADMIN_ROLES, "enable users")
        with self.db.write() as session:
            user = self._user(session, user_id)
            if user.password_hash is None:
                raise UserError("This account has no password; reset its password first.")
            user.active = True
            self.audit(session, "user.enable", "user", user.id, summary=f"user {user.username}")
            return _user_summary(user)

    def reset_password(self, user_id: int, temporary_password: str) -> UserSummary:
        """Set a temporary password the user must change at the next sign-in;
        also clears the wait after failed sign-ins."""
        self.require(ADMIN_ROLES, "reset passwords")
        with self.db.read() as session:
            username = self._user(session, user_id).username
        check_new_password(temporary_password, username)
        hashed = hash_password(temporary_password)
        with self.db.write() as session:
            user = self._user(session, user_id)
            user.password_hash = hashed
            user.password_changed_at = utcnow()
            user.must_change_password = user_id != self.actor.id
            user.failed_signins = 0
            user.signin_blocked_until = None
            self.audit(
                session,
                "user.password_reset",
                "user",
                user.id,
                summary=f"password of {user.username} reset",
            )
            return _user_summary(user)

    def _user(self, session: Session, user_id: int) -> User:
        user = session.get(User, user_id) if isinstance(user_id, int) else None
        if user is None:
            raise NotFound(f"There is no user {user_id}.")
        return user

    def _keep_an_admin(self, session: Session, user: User) -> None:
        admins = session.scalars(
            select(User).join(UserRole).where(UserRole.role == "admin", User.active.is_(True))
        ).all()
        if all(a.id == user.id for a in admins):
            raise UserError(
                "The clinic needs at least one active administrator; "
                "give another user the admin role first."
            )
