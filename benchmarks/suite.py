"""SIJ Desk's benchmark suite: what users feel, at clinic sizes, beside its floors.

    .venv/bin/python benchmarks/suite.py                        # 100,000 patients
    .venv/bin/python benchmarks/suite.py --patients 10000 100000
    .venv/bin/python benchmarks/suite.py --patients 1000000     # on demand: ~15 min to build
    .venv/bin/python benchmarks/suite.py --postgresql           # the searches on PostgreSQL too

Not part of the test run: timings belong to the machine. For each size it builds
(once, then reuses from --clinics) a demo clinic of N patients with about 15
events each, plus one patient with 200 and one with 1,000 events, and measures
the median and p95 of each figure over repeated runs, beside a floor measured in
the same run (the indexed SQL query behind a search, a one-page ReportLab
document, a plain copy of the database file, ...). The results are printed as a
table (sizes side by side, each target) and kept as JSON in benchmarks/results/
with the machine's core count and the date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
HEAVY = (200, 1000)  # the timeline events of the two long histories
OPENS = 500
OPENS_HELP = "patients opened one after another, for memory growth"
ADVISE_FACTS = {  # an episode ready for a diagnostic block (CLINICAL.md's fact names)
    "as_of": "2026-11-29",
    "age": 50,
    "pain_region": "below_belt",
    "symptom_weeks": 20,
    "conservative": {"weeks": 8, "response": "partial"},
    "provocation": {"distraction": True, "thigh_thrust": True, "compression": True},
    "nrs": 6,
    "odi_percent": 36,
}


@dataclass
class Figure:
    """One measured figure: times in milliseconds (or MB for memory)."""

    name: str
    values: list[float]
    unit: str = "ms"
    target: float | None = None
    floor: str | None = None  # the name of the figure it is compared with
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        ordered = sorted(self.values)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.p95 <= self.target


@dataclass
class SizeResult:
    patients: int
    figures: dict[str, Figure] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures[figure.name] = figure
        return figure

    def ratio(self, figure: Figure) -> float | None:
        floor = self.figures.get(figure.floor or "")
        if floor is None or floor.median <= 0:
            return None
        return figure.median / floor.median


def timed(fn: Callable[[], object], runs: int, *, warm: bool = True) -> list[float]:
    """Milliseconds of ``runs`` calls (after one warm-up call unless ``warm`` is False)."""
    if warm:
        fn()
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        values.append((time.perf_counter() - started) * 1000)
    return values


# -- the clinic ---------------------------------------------------------------------


def clinic_path(folder: Path, patients: int) -> Path:
    return folder / f"demo-{patients}.sqlite3"


def ensure_clinic(folder: Path, patients: int) -> dict:
    """The demo clinic of ``patients`` (built when missing); returns its facts."""
    from sijdesk.demo import create_demo_clinic, new_demo_clinic
    from tests.documents.history import build_long_history

    path = clinic_path(folder, patients)
    facts_file = path.with_suffix(".json")
    if path.exists() and facts_file.exists():
        return json.loads(facts_file.read_text())
    for stale in folder.glob(path.name + "*"):
        stale.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    print(f"building a demo clinic of {patients:,} patients in {path} …", flush=True)
    started = time.perf_counter()
    clinic = new_demo_clinic(str(path))
    try:
        create_demo_clinic(clinic, patients=patients)
        heavy = {}
        for events in HEAVY:
            patient_id, episode_id = build_long_history(clinic, events=events)
            heavy[str(events)] = {"patient_id": patient_id, "episode_id": episode_id}
    finally:
        clinic.close()
    facts = {
        "patients": patients,
        "heavy": heavy,
        "built_seconds": round(time.perf_counter() - started, 1),
        "megabytes": round(path.stat().st_size / 1e6),
    }
    facts_file.write_text(json.dumps(facts, indent=2))
    print(f"  built in {facts['built_seconds']} s, {facts['megabytes']} MB", flush=True)
    return facts


def search_queries(clinic) -> dict[str, str]:
    """One query of each kind, taken from a patient of this clinic."""
    middle = clinic.patients.search(limit=1, offset=clinic.patients.count() // 2)[0]
    family = middle.family_name.split()[0].split("-")[0]
    from sijdesk.services.text import digits, fold

    folded = fold(family)
    phone = digits(middle.phone)
    return {
        "name prefix": folded[:3],
        "substring": folded[1:5] if len(folded) >= 5 else folded[1:],
        "single letter": "a",
        "record number": middle.record_number,
        "date of birth": middle.date_of_birth.strftime("%d/%m/%Y"),
        "phone digits": f"{phone[-7:-3]} {phone[-3:]}",
    }


# -- the measurements of one size -----------------------------------------------------


def measure_size(
    folder: Path,
    patients: int,
    runs: int,
    work: Path,
    opens: int = OPENS,
    *,
    commands: bool = False,
    postgresql: bool = False,
) -> SizeResult:
    from sijdesk.demo import DEMO_PASSWORD
    from sijdesk.services import Clinic
    from sijdesk.services.patient_search import PatientQuery, prefix_upper_bound
    from tests.signin import copy_clinic

    facts = ensure_clinic(folder, patients)
    # Measured on a copy: the run's letters, care plans and audited reads would stay
    # in the kept clinic, and its "200 events" patient grew by some 20 events a run.
    path = work / clinic_path(folder, patients).name
    copy_clinic(clinic_path(folder, patients), path)
    result = SizeResult(patients)
    if commands:  # first: quick, and a broken command shows before the long part
        measure_commands(path, result, runs, work)
    clinic = Clinic.sign_in(str(path), username="dr.okafor", password=DEMO_PASSWORD)
    try:
        queries = search_queries(clinic)
        # The floor: the indexed SQL range behind a name search, bare sqlite3.
        floor_query = queries["name prefix"]
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as raw:
            result.add(
                Figure(
                    "SQL floor: token index range",
                    timed(
                        lambda: raw.execute(
                            "SELECT patient_id FROM patient_name_token "
                            "WHERE token >= ? AND token < ? LIMIT 200",
                            (floor_query, prefix_upper_bound(floor_query)),
                        ).fetchall(),
                        runs * 3,
                    ),
                )
            )
        for kind, query in queries.items():
            assert PatientQuery.parse(query) is not None

            def search(query=query, clinic=clinic):
                # What the list does for a keystroke: its count (capped) and first page.
                return clinic.patients.search_counted(query, limit=200, count_up_to=1001)

            result.add(
                Figure(
                    f"search (services): {kind}",
                    timed(search, runs * 2),
                    target=30,
                    floor="SQL floor: token index range",
                    note=repr(query),
                )
            )
        for events in HEAVY:
            ids = facts["heavy"][str(events)]
            doc = clinic.as_user("clin.long")
            result.add(
                Figure(
                    f"open a patient of {events} events (services)",
                    timed(lambda ids=ids, doc=doc: open_patient_data(doc, **ids), runs),
                    target=150 if events == 200 else 400,
                )
            )
        long_history = facts["heavy"]["200"]
        doc = clinic.as_user("clin.long")
        result.add(
            Figure(
                "pathway advice, one episode",
                timed(lambda: doc.pathway.episode_advice(long_history["episode_id"]), runs * 3),
            )
        )
        result.add(Figure("one-page ReportLab document (floor)", timed(one_page_pdf, runs)))
        result.add(
            Figure(
                "referral letter (200 events)",
                timed(
                    lambda: doc.documents.create_letter(
                        long_history["episode_id"], "spine_surgeon"
                    ),
                    runs,
                ),
                target=200,
                floor="one-page ReportLab document (floor)",
            )
        )
        result.add(
            Figure(
                "care plan with chart (200 events)",
                timed(lambda: doc.documents.create_care_plan(long_history["episode_id"]), runs),
                target=500,
                floor="one-page ReportLab document (floor)",
            )
        )
        result.add(
            Figure(
                "outcome report, last 12 months",
                timed(doc.outcomes.report, max(3, runs // 3)),
                target=2000,
            )
        )
        result.add(Figure("follow-up list: the toolbar's count", timed(doc.due.count, runs)))
        result.add(Figure("follow-up list: first page", timed(doc.due.page, runs)))
    finally:
        clinic.close()
    if postgresql:
        measure_postgresql(path, facts, result, runs)
    measure_backup(path, result, work, max(1, runs // 3))
    measure_window(path, facts, queries, result, runs, work, opens)
    return result


def measure_postgresql(path: Path, facts: dict, result: SizeResult, runs: int) -> None:
    """The same searches and patient openings with the clinic copied to a PostgreSQL
    server of its own (started from Debian's postgresql package, as the tests do)."""
    from sqlalchemy import create_engine, text

    from sijdesk.copy_db import copy_clinic
    from sijdesk.services import Clinic
    from sijdesk.services.patient_search import prefix_upper_bound
    from tests.postgres import start_server
    from tests.signin import TEST_PASSWORD

    server = start_server()
    try:
        url = server.new_database()
        print("  copying the clinic to PostgreSQL …", flush=True)
        started = time.perf_counter()
        copy_clinic(str(path), url)
        print(f"  copied in {time.perf_counter() - started:.0f} s", flush=True)
        # Write the copied 2.5 GB out now: timed while the server's checkpoint wrote it,
        # the first searches took 0.6-1 s instead of 0.05-0.1 s (2026-12-07).
        checkpoint = create_engine(url, isolation_level="AUTOCOMMIT")
        with checkpoint.connect() as raw:
            raw.execute(text("CHECKPOINT"))
        checkpoint.dispose()
        clinic = Clinic.sign_in(url, username="clin.long", password=TEST_PASSWORD)
        engine = create_engine(url)
        try:
            with engine.connect() as raw:
                queries = search_queries(clinic)
                floor_query = queries["name prefix"]
                floor_sql = text(
                    "SELECT patient_id FROM patient_name_token "
                    "WHERE token >= :low AND token < :high LIMIT 200"
                )
                bounds = {"low": floor_query, "high": prefix_upper_bound(floor_query)}
                result.add(
                    Figure(
                        "SQL floor: token index range (PostgreSQL)",
                        timed(lambda: raw.execute(floor_sql, bounds).all(), runs * 3),
                    )
                )
            for kind, query in queries.items():
                result.add(
                    Figure(
                        f"search (services, PostgreSQL): {kind}",
                        timed(
                            lambda query=query: clinic.patients.search_counted(
                                query, limit=200, count_up_to=1001
                            ),
                            runs * 2,
                        ),
                        target=30,
                        floor="SQL floor: token index range (PostgreSQL)",
                        note=repr(query),
                    )
                )
            result.add(
                Figure(
                    "outcome report, last 12 months (PostgreSQL)",
                    timed(clinic.outcomes.report, max(3, runs // 3)),
                    target=2000,
                )
            )
            result.add(
                Figure("follow-up list: first page (PostgreSQL)", timed(clinic.due.page, runs))
            )
            for events in HEAVY:
                ids = facts["heavy"][str(events)]
                result.add(
                    Figure(
                        f"open a patient of {events} events (services, PostgreSQL)",
                        timed(lambda ids=ids: open_patient_data(clinic, **ids), runs),
                        target=150 if events == 200 else 400,
                    )
                )
        finally:
            engine.dispose()
            clinic.close()
    finally:
        server.stop()


def open_patient_data(clinic, patient_id: int, episode_id: int) -> None:
    """What the window's one job reads to show a patient (ui/patient_view.py)."""
    with clinic.reads_together():
        patient = clinic.patients.get(patient_id)
        clinic.allergies.status(patient_id)
        for contact_id in (patient.gp_contact_id, patient.referrer_contact_id):
            if contact_id:
                clinic.contacts.get(contact_id)
        clinic.episodes.list_for_patient(patient_id)
        clinic.pathway.patient_alerts(patient_id)
        clinic.pathway.thresholds()
        clinic.pathway.episode_view(episode_id)


def one_page_pdf() -> bytes:
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    out = BytesIO()
    style = getSampleStyleSheet()["BodyText"]
    SimpleDocTemplate(out, pagesize=A4).build(
        [Paragraph("A referral letter's worth of text. " * 12, style) for _ in range(8)]
    )
    return out.getvalue()


def measure_backup(path: Path, result: SizeResult, work: Path, runs: int) -> None:
    from sijdesk.demo import DEMO_ADMIN, DEMO_PASSWORD
    from sijdesk.services import Clinic

    copies = work / "copies"
    copies.mkdir(exist_ok=True)

    def plain_copy() -> None:
        shutil.copyfile(path, copies / "plain.sqlite3")

    result.add(Figure("plain copy of the database file (floor)", timed(plain_copy, runs)))
    admin = Clinic.sign_in(str(path), username=DEMO_ADMIN, password=DEMO_PASSWORD)
    try:
        made: list[Path] = []

        def back_up() -> None:
            info = admin.backups.back_up(target=copies / f"backup-{len(made)}.sijbackup")
            made.append(Path(info.path))

        result.add(
            Figure(
                "full backup (made and verified)",
                timed(back_up, runs, warm=False),
                floor="plain copy of the database file (floor)",
            )
        )
    finally:
        admin.close()
    shutil.rmtree(copies, ignore_errors=True)


def measure_window(
    path: Path,
    facts: dict,
    queries: dict[str, str],
    result: SizeResult,
    runs: int,
    work: Path,
    opens: int,
) -> None:
    """The window, each figure in a fresh process (benchmarks/window_probe.py)."""
    from tests.signin import TEST_PASSWORD

    probe = [sys.executable, str(ROOT / "benchmarks" / "window_probe.py")]
    env = {**os.environ, "SIJDESK_HOME": str(work / "home"), "QT_QPA_PLATFORM": "offscreen"}
    clinic = ["--db", str(path), "--password", TEST_PASSWORD]

    door: list[float] = []  # each start's time to the sign-in dialog painted
    signing_in: list[float] = []  # each --typed-later start's password to list painted

    def until_ready(*args: str) -> Callable[[], object]:
        def start() -> None:
            launched = time.perf_counter()
            with subprocess.Popen(
                [*probe, *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
            ) as child:
                assert child.stdout is not None
                for line in child.stdout:
                    if line.strip() == "DOOR":
                        door.append((time.perf_counter() - launched) * 1000)
                    if line.startswith("SIGNED_IN_TO_LIST ") and "--typed-later" in args:
                        signing_in.append(float(line.split()[1]))
                    if line.strip() == "READY":
                        break
                else:
                    raise RuntimeError(f"window_probe {args[0]} never became ready")
                child.stdout.read()  # let it finish (not timed beyond READY)

        return start

    bare = result.add(Figure("bare PySide6 window shown (floor)", timed(until_ready("bare"), runs)))
    result.add(
        Figure(
            "cold start to the list shown",
            timed(until_ready("start", *clinic), runs),
            target=2000,
            floor="bare PySide6 window shown (floor)",
            note="through the sign-in dialog, the password given at once",
        )
    )
    # The first window the user can act in is the sign-in dialog: it is the one held
    # to four times the bare window (the 'usable window'); the list after it
    # waits for the password check (Argon2id, deliberate) and the database opening.
    result.add(
        Figure(
            "cold start to the sign-in dialog shown",
            door[1:],  # the first launch is timed() warming up
            target=round(4 * bare.median),
            floor="bare PySide6 window shown (floor)",
            note="target: 4 x the bare window",
        )
    )
    # And once the user has typed the password (the database opened meanwhile): the
    # password check and the main window with its first page, also within 4 x bare.
    timed(until_ready("start", "--typed-later", *clinic), runs)
    result.add(
        Figure(
            "sign-in to the list shown (password typed)",
            signing_in[1:],  # the first launch is timed() warming up
            target=round(4 * bare.median),
            floor="bare PySide6 window shown (floor)",
            note="the database already open: what a user waits for after Enter",
        )
    )
    facts_file = work / "facts.json"
    facts_file.write_text(json.dumps(facts))
    done = subprocess.run(
        [
            *probe,
            "full",
            *clinic,
            "--facts",
            str(facts_file),
            "--queries",
            json.dumps(queries),
            "--runs",
            str(runs),
            "--opens",
            str(opens),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    for name, values in measured["figures"].items():
        if name.startswith("search"):
            figure = Figure(name, values, target=30, floor="SQL floor: token index range")
        elif name.startswith("open a patient"):
            figure = Figure(name, values, target=150 if " 200 " in name else 400)
        elif name.startswith("peak memory"):
            figure = Figure(name, values, unit="MB", target=300)
        elif name.startswith("memory growth"):
            figure = Figure(name, values, unit="MB", target=20)
        else:
            figure = Figure(name, values, target=100)
        figure.note = measured["notes"].get(name, "")
        result.add(figure)


def measure_commands(path: Path, result: SizeResult, runs: int, work: Path) -> None:
    """Commands from start to answer, each a fresh process, beside a bare interpreter."""
    from sijdesk.demo import DEMO_PASSWORD

    python = sys.executable
    env = {
        **os.environ,
        "SIJDESK_HOME": str(work / "home"),
        "SIJDESK_USER": "reception.haddad",
        "SIJDESK_PASSWORD": DEMO_PASSWORD,
    }

    def run(*args: str, stdin: str | None = None) -> Callable[[], object]:
        def command() -> None:
            done = subprocess.run(
                [python, *args], input=stdin, capture_output=True, text=True, env=env, check=False
            )
            if done.returncode:
                raise RuntimeError(f"{args} failed: {done.stderr.strip()[-300:]}")

        return command

    result.add(Figure("python -c pass (floor)", timed(run("-c", "pass"), runs)))
    floor = "python -c pass (floor)"
    for name, args, stdin, target in (
        ("sijdesk --version", ("-m", "sijdesk", "--version"), None, 300),
        ("sijdesk advise", ("-m", "sijdesk", "advise", "-"), json.dumps(ADVISE_FACTS), 300),
        (
            "sijdesk patients list --limit 50",
            ("-m", "sijdesk", "patients", "list", "--db", str(path), "--limit", "50"),
            None,
            None,
        ),
    ):
        result.add(Figure(name, timed(run(*args, stdin=stdin), runs), target=target, floor=floor))


# -- report -----------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def table(results: list[SizeResult]) -> str:
    names: list[str] = []
    for size in results:
        names += [n for n in size.figures if n not in names]
    width = max(46, *(len(n) + 5 for n in names))  # room for " (MB)"
    head = f"{'figure (ms unless said)':{width}} " + " ".join(f"{r.patients:>18,}" for r in results)
    lines = [
        head + f" {'target':>8} {'x floor':>8}",
        " " * (width + 1) + "   median /    p95" * len(results),
    ]
    largest = results[-1]
    for name in names:
        cells = []
        for size in results:
            figure = size.figures.get(name)
            cells.append(f"{_ms(figure.median):>8} / {_ms(figure.p95):>7}" if figure else "—")
        last = largest.figures.get(name)
        target = f"{last.target:8.0f}" if last and last.target is not None else " " * 8
        mark = "" if not last or last.met is None else (" ok" if last.met else " MISSED")
        ratio = largest.ratio(last) if last else None
        ratio_text = f"{ratio:7.1f}x" if ratio is not None else " " * 8
        label = f"{name} ({last.unit})" if last and last.unit != "ms" else name
        lines.append(
            f"{label:{width}} "
            + " ".join(f"{c:>18}" for c in cells)
            + f" {target} {ratio_text}{mark}"
        )
    notes = [f"  {f.name}: {f.note}" for f in largest.figures.values() if f.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def save(results: list[SizeResult], facts: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = "-".join(str(r.patients) for r in results)
    stem = f"{date.today().isoformat()}-{sizes}"
    path = RESULTS / f"{stem}.json"
    run = 2
    while path.exists():  # a second run of the day keeps the first's results
        path = RESULTS / f"{stem}-run{run}.json"
        run += 1
    payload = {
        "date": date.today().isoformat(),
        "machine": {
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        **facts,
        "sizes": [
            {
                "patients": r.patients,
                "figures": {
                    name: {
                        **{k: v for k, v in asdict(f).items() if k != "values"},
                        "median": round(f.median, 2),
                        "p95": round(f.p95, 2),
                        "runs": len(f.values),
                        "x_floor": None if r.ratio(f) is None else round(r.ratio(f), 2),
                        "met": f.met,
                    }
                    for name, f in r.figures.items()
                },
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[100_000])
    parser.add_argument("--runs", type=int, default=9, help="runs of each figure (some x2, x3)")
    parser.add_argument(
        "--clinics",
        type=Path,
        default=Path(tempfile.gettempdir()) / "sijdesk-benchmark-clinics",
        help="where built demo clinics are kept and reused",
    )
    parser.add_argument("--opens", type=int, default=OPENS, help=OPENS_HELP)
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="also copy each clinic to a PostgreSQL server of its own and measure search there",
    )
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="sijdesk-bench-") as folder:
        work = Path(folder)
        os.environ["SIJDESK_HOME"] = str(work / "home")
        for patients in sorted(args.patients):
            print(f"measuring {patients:,} patients …", flush=True)
            result = measure_size(
                args.clinics,
                patients,
                args.runs,
                work,
                args.opens,
                commands=patients == max(args.patients),
                postgresql=args.postgresql,
            )
            results.append(result)
    print()
    print(table(results))
    path = save(
        results,
        {
            "runs": args.runs,
            "command": "benchmarks/suite.py " + " ".join(sys.argv[1:] if argv is None else argv),
        },
    )
    print(f"\nsaved {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
