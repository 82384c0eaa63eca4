"""Patient > Export record as FHIR… and Patient > Import from a FHIR bundle… in the window."""

from __future__ import annotations

import json

from sijdesk.services import fhir_bundle as fb
from sijdesk.ui import fhir_dialog
from tests.conftest import TODAY
from tests.signin import new_clinic


def test_the_open_patients_record_is_exported_as_fhir(
    ui, clinic, patient_with_episode, tmp_path, monkeypatch, messages
):
    patient, episode = patient_with_episode
    clinic.timeline.add(episode.id, "outcome", {"date": TODAY, "nrs": 7})
    ui.open_patient(patient.id)
    assert ui.window.act_export_fhir.isEnabled()
    target = tmp_path / "amara"
    monkeypatch.setattr(fhir_dialog, "ask_bundle_path", lambda parent, suggested: str(target))
    assert ui.window.export_patient_record() == str(target) + ".json"
    ui.wait(lambda: messages.any_contains("was written to"))
    read = fb.read_bundle(json.loads((tmp_path / "amara.json").read_text(encoding="utf-8")))
    [exported] = read.patients
    assert exported.family_name == "Okonkwo-Bennett"
    assert [e.kind for e in exported.episodes[0].events] == ["outcome"]


def test_a_bundle_is_checked_then_imported(ui, clinic, tmp_path):
    source = new_clinic(tmp_path / "other.sqlite3", clock=lambda: TODAY)
    source.patients.register(
        {"given_names": "Bea", "family_name": "Nowak", "date_of_birth": "1980-02-28"}
    )
    bundle = tmp_path / "bundle.json"
    source.exchange.export_fhir(bundle)
    source.close()
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": '
        '{"resourceType": "Patient", "birthDate": "soon"}}]}'
    )
    dialog = ui.window.import_bundle()
    dialog.ask_path = lambda: str(broken)
    dialog.choose_file()
    dialog.check()
    ui.wait(lambda: "birthDate" in dialog.findings.toPlainText())
    assert dialog.findings.toPlainText().startswith("Is not a valid FHIR R4 Bundle")
    assert not dialog.import_button.isEnabled()
    dialog.path.setText(str(bundle))
    dialog.check()
    ui.wait(lambda: "can be imported" in dialog.findings.toPlainText())
    assert clinic.patients.count() == 0  # the check wrote nothing
    dialog.import_button.click()
    ui.wait(lambda: dialog.imported == ("000001",))
    assert "Imported 1 patient" in dialog.findings.toPlainText()
    dialog.close()
    ui.wait(lambda: ui.window.list_pane.model.rowCount() == 1)


def test_who_sees_the_fhir_actions(qtbot, users, settings):
    from sijdesk.ui.main_window import MainWindow

    seen = {}
    for role in ("clinician", "reception"):
        main = MainWindow(users[role], settings)
        qtbot.addWidget(main)
        seen[role] = (main.act_export_fhir.isVisible(), main.act_import_fhir.isVisible())
        main.close()
    assert seen == {"clinician": (True, False), "reception": (False, False)}
