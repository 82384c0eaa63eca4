"""Accounts: argon2id passwords, sign-in with a growing wait, several roles, the
administrator's user management. Every refusal is audited and writes nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sijdesk.db.migrate import open_database
from sijdesk.errors import PermissionDenied, UserError, ValidationError
from sijdesk.models import AuditEvent, User
from sijdesk.services import AccountService, Clinic, SetupNeeded, SignInFailed, accounts
from tests.signin import TEST_PASSWORD, add_user


def _events(clinic_or_db, action=None):
    db = getattr(clinic_or_db, "db", clinic_or_db)
    with db.read() as session:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return session.scalars(stmt).all()


def test_production_hashing_is_argon2id_at_or_above_the_owasp_minimum(monkeypatch):
    # The suite swaps in a cheap hasher; the shipped one is what the module builds.
    shipped = PasswordHasher()
    assert shipped.type.name == "ID"
    assert shipped.memory_cost >= 19 * 1024
    assert shipped.time_cost >= 2
    assert shipped.parallelism >= 1
    assert RFC_9106_LOW_MEMORY.memory_cost >= 19 * 1024
    monkeypatch.setattr(accounts, "HASHER", shipped)
    stored = accounts.hash_password("a-good-secret-1")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert accounts.password_matches(stored, "a-good-secret-1")
    assert not accounts.password_matches(stored, "a-good-secret-2")
    assert not accounts.password_matches(None, "a-good-secret-1")


def test_a_hash_made_with_weaker_parameters_is_replaced_at_the_next_sign_in(clinic, monkeypatch):
    with clinic.db.read() as session:
        weak = session.scalar(select(User.password_hash).where(User.username == "admin"))
    assert "m=8,t=1,p=1" in weak
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(accounts, "HASHER", stronger)
    AccountService(clinic.db).sign_in("admin", TEST_PASSWORD)
    with clinic.db.read() as session:
        rehashed = session.scalar(select(User.password_hash).where(User.username == "admin"))
    assert "m=16,t=2,p=1" in rehashed
    assert _events(clinic, "signin")[-1].details == {"rehashed": True}


def test_open_signs_in_and_refuses_wrong_passwords(clinic):
    db_path = clinic.db.path or clinic.db.url
    clinic.close()
    opened = Clinic.sign_in(str(db_path), username="ADMIN ", password=TEST_PASSWORD)
    assert opened.actor.username == "admin"
    assert opened.actor.roles == {"admin"}
    opened.close()
    with pytest.raises(SignInFailed, match="username or password is not right"):
        Clinic.sign_in(str(db_path), username="admin", password="wrong-password")
    with pytest.raises(SignInFailed, match="username or password is not right"):
        Clinic.sign_in(str(db_path), username="nobody", password=TEST_PASSWORD)


def test_a_new_database_needs_its_first_administrator(db_path):
    with pytest.raises(SetupNeeded, match="sijdesk init --admin"):
        Clinic.sign_in(str(db_path), username="admin", password="whatever-it-is")


def test_a_second_first_administrator_is_refused(db_path, clinic):
    with pytest.raises(UserError, match="already has an administrator"):
        AccountService(clinic.db).initialise(
            username="other", password="another-secret-1", display_name="Other"
        )


def test_failures_make_the_account_wait_longer_and_survive_a_restart(clinic):
    db_path = clinic.db.path or clinic.db.url
    now = [datetime(2026, 12, 6, 9, 0, tzinfo=UTC)]
    service = AccountService(clinic.db, now=lambda: now[0])
    for _ in range(2):
        with pytest.raises(SignInFailed, match="not right"):
            service.sign_in("admin", "wrong-password")
    with pytest.raises(SignInFailed, match="not right"):
        service.sign_in("admin", "wrong-password")  # the third: now a wait of 10 s
    # Even the right password waits; a new process (a new service) sees the same wait.
    clinic.close()
    reopened = open_database(str(db_path))
    new_service = AccountService(reopened, now=lambda: now[0])
    try:
        with pytest.raises(SignInFailed, match="Wait 10 seconds"):
            new_service.sign_in("admin", TEST_PASSWORD)
        now[0] += timedelta(seconds=11)
        with pytest.raises(SignInFailed, match="not right"):
            new_service.sign_in("admin", "wrong-password")  # the fourth: 20 s
        now[0] += timedelta(seconds=11)
        with pytest.raises(SignInFailed, match="Wait 9 seconds"):
            new_service.sign_in("admin", TEST_PASSWORD)
        now[0] += timedelta(seconds=10)
        assert new_service.sign_in("admin", TEST_PASSWORD).actor.username == "admin"
        with reopened.read() as session:
            user = session.scalar(select(User).where(User.username == "admin"))
            assert user.failed_signins == 0
            assert user.signin_blocked_until is None
        actions = [e.action for e in _events(reopened)]
        assert actions.count("signin.failed") == 4
        assert actions.count("signin.refused") == 2
        assert actions[-1] == "signin"
    finally:
        reopened.dispose()


def test_waits_grow_and_are_capped():
    assert accounts.wait_after(2) is None
    assert accounts.wait_after(3) == timedelta(seconds=10)
    assert accounts.wait_after(4) == timedelta(seconds=20)
    assert accounts.wait_after(100) == timedelta(minutes=15)


def test_unknown_user_failures_are_audited_without_a_user(clinic):
    with pytest.raises(SignInFailed):
        AccountService(clinic.db).sign_in("mallory", "some-password")
    event = _events(clinic, "signin.failed")[-1]
    assert event.user_id is None
    assert event.details == {"reason": "unknown user", "username": "mallory"}


def test_a_user_may_hold_several_roles(users):
    both = add_user(users["admin"], "dual", "Dual Role", "reception", "clinician")
    assert both.actor.roles == {"reception", "clinician"}
    assert both.actor.role_label == "clinician, reception"
    patient = both.patients.register(
        {"given_names": "Ann", "family_name": "Both", "date_of_birth": "1970-01-01"}
    )
    assert both.episodes.create(patient.id, {"side": "left", "onset_date": "2026-06-01"}).id


def test_only_an_administrator_manages_users(users):
    for role in ("clinician", "reception"):
        with pytest.raises(PermissionDenied, match="manage users"):
            users[role].users.all_users()
        with pytest.raises(PermissionDenied, match="create users"):
            users[role].users.create(
                username="x1", display_name="X", roles=["admin"], password="a-good-secret-1"
            )


def test_admin_creates_disables_resets_and_sets_roles_all_audited(users):
    admin = users["admin"]
    made = admin.users.create(
        username="New.Physio",
        display_name="New Physio",
        roles=["clinician"],
        password="first-secret-12",
    )
    assert made.username == "new.physio"
    assert made.must_change_password
    signed = AccountService(admin.db).sign_in("new.physio", "first-secret-12")
    assert signed.must_change_password
    admin.users.set_roles(made.id, ["clinician", "reception"])
    admin.users.disable(made.id)
    with pytest.raises(SignInFailed, match="not right"):
        AccountService(admin.db).sign_in("new.physio", "first-secret-12")
    admin.users.reset_password(made.id, "second-secret-34")
    admin.users.enable(made.id)
    again = AccountService(admin.db).sign_in("new.physio", "second-secret-34")
    assert again.actor.roles == {"clinician", "reception"}
    actions = [e.action for e in _events(admin) if e.entity == "user" and e.entity_id == made.id]
    assert "user.create" in actions
    assert actions[-1] == "signin"
    for expected in ("user.roles", "user.disable", "user.password_reset", "user.enable"):
        assert expected in actions


def test_the_last_administrator_cannot_be_removed(users):
    admin = users["admin"]
    with pytest.raises(UserError, match="cannot disable your own account"):
        admin.users.disable(admin.actor.id)
    with pytest.raises(UserError, match="at least one active administrator"):
        admin.users.set_roles(admin.actor.id, ["clinician"])


def test_change_own_password_needs_the_current_one(users):
    recep = users["reception"]
    with pytest.raises(ValidationError) as caught:
        recep.session.change_password("wrong-current", "a-new-secret-99")
    assert caught.value.errors == {"current_password": "is not right"}
    with pytest.raises(ValidationError) as caught:
        recep.session.change_password(TEST_PASSWORD, "short")
    assert "new_password" in caught.value.errors
    recep.session.change_password(TEST_PASSWORD, "a-new-secret-99")
    assert AccountService(recep.db).sign_in("recep", "a-new-secret-99").actor.username == "recep"
    with pytest.raises(SignInFailed):
        AccountService(recep.db).sign_in("recep", TEST_PASSWORD)


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    username=st.one_of(st.text(max_size=80), st.none(), st.integers()),
    password=st.one_of(st.text(max_size=200), st.none(), st.binary(max_size=20)),
)
def test_any_sign_in_input_is_refused_plainly_and_writes_no_account_change(
    clinic, username, password
):
    with clinic.db.read() as session:
        before = session.execute(select(User.failed_signins, User.password_hash, User.active)).all()
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    try:
        AccountService(clinic.db).sign_in(username, password)
    except SignInFailed:
        pass
    else:  # only the real password of a real account gets in
        assert isinstance(username, str)
        assert username.strip().lower() == "admin"
        assert password == TEST_PASSWORD
    with clinic.db.read() as session:
        after = session.execute(select(User.password_hash, User.active)).all()
        events_after = session.scalar(select(func.count()).select_from(AuditEvent))
    assert [(h, a) for _, h, a in before] == after
    assert events_after == events_before + 1


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    username=st.one_of(st.text(max_size=80), st.integers(), st.none()),
    display_name=st.one_of(st.text(max_size=250), st.none()),
    roles=st.one_of(
        st.lists(st.sampled_from(["admin", "clinician", "reception", "root", ""]), max_size=4),
        st.text(max_size=10),
        st.none(),
    ),
    password=st.one_of(st.text(max_size=40), st.none()),
)
def test_user_creation_validates_every_field_and_writes_nothing_on_refusal(
    clinic, username, display_name, roles, password
):
    with clinic.db.read() as session:
        users_before = session.scalar(select(func.count()).select_from(User))
    try:
        clinic.users.create(
            username=username, display_name=display_name, roles=roles, password=password
        )
    except ValidationError:
        with clinic.db.read() as session:
            assert session.scalar(select(func.count()).select_from(User)) == users_before
    else:
        with clinic.db.read() as session:
            assert session.scalar(select(func.count()).select_from(User)) == users_before + 1


@pytest.mark.parametrize(
    ("value", "message"),
    [(0, "from 1 to 240"), (241, "from 1 to 240"), ("soon", "whole number"), (None, "required")],
)
def test_idle_lock_minutes_are_checked_and_nothing_is_saved_on_refusal(clinic, value, message):
    with pytest.raises(ValidationError) as caught:
        clinic.settings.update({"idle_lock_minutes": value})
    assert message in caught.value.errors["idle_lock_minutes"]
    assert clinic.settings.get().idle_lock_minutes == 10


def test_only_an_administrator_changes_the_idle_lock(users):
    with pytest.raises(PermissionDenied):
        users["clinician"].settings.update({"idle_lock_minutes": 5})
    assert users["reception"].settings.get().idle_lock_minutes == 10
    assert users["admin"].settings.update({"idle_lock_minutes": 5}).idle_lock_minutes == 5
