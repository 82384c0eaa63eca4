"""``sijdesk audit-key export|import``: the audit key onto another workstation.

A clinic on a PostgreSQL server keeps its audit key on each workstation, not
on the server. A new workstation gets it from one that has it: an
administrator exports it there; here it is imported, which needs no sign-in
(without the key nobody can sign in on this computer) but accepts only the key
the trail was sealed with.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "audit-key",
        parents=[common],
        help="copy the audit key to another workstation (export, then import there)",
        description="export -o FILE: write this clinic's audit key to FILE (administrators; "
        "audited). import FILE: install FILE as this computer's key for the clinic, after "
        "checking it is the key the audit trail was sealed with (no sign-in needed).",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    export = actions.add_parser("export", parents=[common], help="write the key to a file")
    export.add_argument("-o", "--output", metavar="FILE", required=True)
    export.set_defaults(func=run_export)
    install = actions.add_parser("import", parents=[common], help="install a key file here")
    install.add_argument("file", metavar="FILE")
    install.set_defaults(func=run_import)


def run_export(args: argparse.Namespace) -> int:
    from sijdesk.commands._common import open_clinic

    with open_clinic(args) as clinic:
        target = clinic.audit.export_key(args.output)
    print(
        f"{target}: the audit key; copy it to the new workstation and run "
        "`sijdesk audit-key import FILE` there, then delete this copy"
    )
    return 0


def run_import(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.orm import Session

    from sijdesk.audit_chain import install_key
    from sijdesk.commands._common import existing_database
    from sijdesk.db.engine import create_app_engine, describe_db_error, resolve_database_url
    from sijdesk.errors import EnvironmentProblem

    url = resolve_database_url(existing_database(args))
    parsed = make_url(url)
    path = (
        Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None
    )
    engine = create_app_engine(url)
    try:
        with Session(engine) as session:
            target = install_key(session, path, Path(args.file).expanduser())
    except DBAPIError as exc:
        raise EnvironmentProblem(describe_db_error(exc)) from exc
    finally:
        engine.dispose()
    print(f"{target}: the audit key is in place; this computer can now open the clinic")
    return 0
