"""``sijdesk letter``, ``sijdesk care-plan`` and ``sijdesk handout``: documents as PDF files.

    sijdesk letter KIND --patient RECORD_NUMBER [--episode ID] -o FILE
    sijdesk care-plan --patient RECORD_NUMBER [--large-print] -o FILE
    sijdesk handout --list
    sijdesk handout NAME [--patient RECORD_NUMBER] -o FILE

Letters and care plans are recorded on the episode's timeline like those made
in the window; a handout printed for a patient is recorded in the handout
history. Bad arguments (an unknown kind, patient, handout or episode, an
output folder that does not exist or cannot be written) exit non-zero with
one line on stderr and write nothing. The PDF is written to a temporary file
in the target folder and renamed into place, so a failure never leaves a
partial file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import types
from datetime import date
from pathlib import Path

from sijdesk.commands._common import find_patient, open_clinic
from sijdesk.errors import UserError, ValidationError
from sijdesk.pathway.vocab import LETTER_KINDS

EXIT_USAGE = 2


def _one_line_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Argument errors as one plain line (argparse prints the usage block too)."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")

    # Replacing one instance's method is argparse's documented way to change errors.
    parser.error = types.MethodType(error, parser)  # type: ignore[method-assign]
    return parser


def register(subparsers, common: argparse.ArgumentParser) -> None:
    letter = _one_line_errors(
        subparsers.add_parser(
            "letter",
            parents=[common],
            help="write a referral letter for a patient's episode as a PDF",
            description="Write and record a referral letter. KIND is one of: "
            + ", ".join(LETTER_KINDS)
            + ". The reason and question default to sensible text built from the record.",
        )
    )
    letter.add_argument("kind", metavar="KIND", help="one of: " + ", ".join(LETTER_KINDS))
    _patient_options(letter, required=True)
    letter.add_argument(
        "--to",
        metavar="CONTACT",
        type=int,
        help="the address-book contact it goes to (an id from `sijdesk contacts list`); "
        "default: the clinic's contact for this kind of letter",
    )
    letter.add_argument(
        "--recipient", metavar="TEXT", help="who it is addressed to, when not a contact"
    )
    letter.add_argument(
        "--urgency",
        choices=("routine", "soon", "urgent"),
        help="how soon the recipient should act (default: routine; urgent for KIND urgent)",
    )
    letter.add_argument(
        "--no-copy-to-gp",
        dest="copy_to_gp",
        action="store_false",
        help="leave out the copy to the patient's family doctor",
    )
    letter.add_argument("--reason", metavar="TEXT", help="the reason for referral")
    letter.add_argument("--question", metavar="TEXT", help="the question for the recipient")
    _output_options(letter)
    letter.set_defaults(func=run_letter)

    plan = _one_line_errors(
        subparsers.add_parser(
            "care-plan",
            parents=[common],
            help="write a patient's care plan as a PDF",
            description="Write and record the patient's care plan for their latest (or the "
            "given) episode. Reception users get the latest care plan a clinician made.",
        )
    )
    _patient_options(plan, required=True)
    plan.add_argument("--large-print", action="store_true", help="large print")
    plan.add_argument(
        "--review-date", metavar="YYYY-MM-DD", type=_date, help="date of the next review"
    )
    plan.add_argument("--goal", metavar="TEXT", action="append", help="a goal (repeat for several)")
    _output_options(plan)
    plan.set_defaults(func=run_care_plan)

    handout = _one_line_errors(
        subparsers.add_parser(
            "handout",
            parents=[common],
            help="list the handouts or print one as a PDF, blank or for a patient",
            description="With --list, print one handout per line: name, version, title. "
            "With NAME, write that handout; with --patient it carries the patient's details "
            "and the print is recorded in the handout history.",
        )
    )
    handout.add_argument("name", metavar="NAME", nargs="?", help="the handout's name")
    handout.add_argument("--list", action="store_true", help="list the handouts")
    handout.add_argument("--json", action="store_true", help="with --list: print JSON")
    handout.add_argument(
        "--patient", metavar="RECORD_NUMBER", help="the patient it is for (records the print)"
    )
    handout.add_argument("--large-print", action="store_true", help="large print")
    handout.add_argument("-o", "--output", metavar="FILE", help="the PDF file to write")
    handout.add_argument("--page-size", choices=("A4", "Letter"), help="default: the clinic's")
    handout.set_defaults(func=run_handout)


def _patient_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--patient", metavar="RECORD_NUMBER", required=required, help="the patient's record number"
    )
    parser.add_argument(
        "--episode",
        metavar="ID",
        type=_positive_int,
        help="the episode of care (default: the patient's open or most recent one)",
    )


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", metavar="FILE", required=True, help="the PDF file to write"
    )
    parser.add_argument("--page-size", choices=("A4", "Letter"), help="default: the clinic's")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


# -- output -------------------------------------------------------------------------------------


def check_output(path_text: str) -> Path:
    """The output path, refused before any work when it cannot be written."""
    path = Path(path_text).expanduser()
    if path.is_dir():
        raise ValidationError({"output": f"{path} is a folder; give a file name"})
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError({"output": f"the folder {folder} does not exist"})
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValidationError({"output": f"the folder {folder} cannot be written to"})
    if path.exists() and not os.access(path, os.W_OK):
        raise ValidationError({"output": f"{path} exists and cannot be overwritten"})
    return path


def write_atomically(path: Path, data: bytes) -> None:
    from sijdesk.services.documents import save_pdf

    save_pdf(path, data)


# -- lookups ----------------------------------------------------------------------------------


def _episode_for(documents, patient, episode_id: int | None) -> int:
    if episode_id is not None:
        if not documents.is_episode_of(episode_id, patient.id):
            raise ValidationError(
                {
                    "episode": f"episode {episode_id} is not an episode of patient "
                    f"{patient.record_number}"
                }
            )
        return episode_id
    latest = documents.latest_episode_id(patient.id)
    if latest is None:
        raise UserError(
            f"Patient {patient.record_number} has no episode of care yet; open one first."
        )
    return latest


# -- commands -------------------------------------------------------------------------------------


def run_letter(args: argparse.Namespace) -> int:
    if args.kind not in LETTER_KINDS:
        raise ValidationError(
            {
                "KIND": f"unknown letter kind {args.kind!r}; choose one of: "
                + ", ".join(LETTER_KINDS)
            }
        )
    output = check_output(args.output)
    with open_clinic(args) as clinic:
        documents = clinic.documents
        patient = find_patient(clinic, args.patient)
        episode_id = _episode_for(documents, patient, args.episode)
        made = documents.create_letter(
            episode_id,
            args.kind,
            recipient=args.recipient,
            reason=args.reason,
            question=args.question,
            page_size=args.page_size,
            to_contact_id=args.to,
            urgency=args.urgency,
            copy_to_gp=args.copy_to_gp,
        )
        write_atomically(output, made.pdf)
    print(
        f"{output}\t{made.title}\tpatient {patient.record_number}\tepisode {episode_id}\t"
        f"document {made.stored.event_id}\tsha256 {made.sha256}"
    )
    return 0


def run_care_plan(args: argparse.Namespace) -> int:
    from sijdesk.services.context import CLINICAL_ROLES

    output = check_output(args.output)
    with open_clinic(args) as clinic:
        documents = clinic.documents
        patient = find_patient(clinic, args.patient)
        if not clinic.actor.has_any(CLINICAL_ROLES):
            if args.goal or args.review_date or args.episode:
                raise ValidationError(
                    {
                        "care-plan": "reception prints the latest care plan as it was made; "
                        "--goal, --review-date and --episode are for clinicians"
                    }
                )
            made = documents.latest_care_plan(patient.id)
            if bool(made.stored.parameters.get("large_print")) != args.large_print:
                wanted = "large print" if args.large_print else "standard print"
                raise UserError(
                    f"The latest care plan for {patient.record_number} is not in {wanted}; "
                    "ask a clinician to make one."
                )
            documents.record_print(made.stored.event_id)
            episode_id = made.stored.episode_id
        else:
            episode_id = _episode_for(documents, patient, args.episode)
            made = documents.create_care_plan(
                episode_id,
                large_print=args.large_print,
                goals=args.goal,
                review_date=args.review_date,
                page_size=args.page_size,
            )
        write_atomically(output, made.pdf)
    print(
        f"{output}\t{made.title}\tpatient {patient.record_number}\tepisode {episode_id}\t"
        f"document {made.stored.event_id}\tsha256 {made.sha256}"
    )
    return 0


def run_handout(args: argparse.Namespace) -> int:
    from sijdesk.reports.handouts import list_handouts

    if args.list:
        if args.name or args.output or args.patient:
            raise ValidationError({"list": "--list takes no NAME, --patient or --output"})
        handouts = list_handouts()
        if args.json:
            rows = [
                {"name": h.name, "version": h.version, "title": h.title, "summary": h.summary}
                for h in handouts
            ]
            json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            for h in handouts:
                print(f"{h.name}\t{h.version}\t{h.title}")
        return 0
    if not args.name:
        raise ValidationError({"NAME": "give a handout name, or --list to see them"})
    names = [h.name for h in list_handouts()]
    if args.name not in names:
        raise ValidationError(
            {
                "NAME": f"there is no handout called {args.name!r}; choose one of: "
                + ", ".join(names)
            }
        )
    if not args.output:
        raise ValidationError({"output": "give the PDF file to write with -o FILE"})
    output = check_output(args.output)
    with open_clinic(args) as clinic:
        documents = clinic.documents
        patient = find_patient(clinic, args.patient) if args.patient else None
        made, printed = documents.print_handout(
            args.name,
            patient.id if patient else None,
            large_print=args.large_print,
            page_size=args.page_size,
        )
        write_atomically(output, made.pdf)
    who = f"patient {patient.record_number}" if patient else "blank"
    print(f"{output}\t{made.title}\tversion {printed.version}\t{who}\tsha256 {made.sha256}")
    return 0
