"""The assessment form: body diagram, provocation tests, red flags, risk factors."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
)

from sijdesk.kinds.assessment import LASLETT_TESTS
from sijdesk.pathway import vocab
from sijdesk.ui.body_diagram import BodyDiagram
from sijdesk.ui.forms.event import EventDialog
from sijdesk.ui.forms.widgets import (
    CheckList,
    ChoiceRadios,
    NotesField,
    TriState,
    form_layout,
    group,
)
from sijdesk.ui.sizing import resize_to_fit


class AssessmentDialog(EventDialog):
    KIND = "assessment"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 1040, 720)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        right = QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns)

        top = form_layout()
        self.date_row(top, "Date of the assessment")
        left.addLayout(top)

        # where: body diagram + radio buttons for the belt-line region, then pain sites
        where = QGridLayout()
        self.diagram = BodyDiagram()
        where.addWidget(self.diagram, 0, 0, 3, 1)
        region_label = QLabel("Pain &region (belt-line rule):")
        self.region = ChoiceRadios(
            [
                ("below_belt", "Below the belt line"),
                ("above_belt", "Above the belt line"),
                ("both", "Above and below"),
                (None, "Not recorded"),
            ],
            columns=1,
            accessible="Pain region",
        )
        self.region.set_value(None)
        region_label.setBuddy(self.region)
        where.addWidget(region_label, 0, 1)
        where.addWidget(self.region, 1, 1)
        where.addWidget(self.error_label("pain_region"), 2, 1)
        self.register("pain_region", self.region)
        self.diagram.regionChanged.connect(self.region.set_value)
        self.region.connect_changed(lambda: self.diagram.set_region(self.region.value()))
        sites_form = form_layout()
        self.add_row(sites_form, "pain_sites", CheckList(vocab.PAIN_SITES, columns=2), "Pain sites")
        where.addLayout(sites_form, 3, 0, 1, 2)
        where.setColumnStretch(1, 1)
        left.addWidget(group("Where is the pain?", where))

        function = form_layout()
        self.add_row(function, "functional", CheckList(vocab.FUNCTIONAL, columns=2), "Complaints")
        left.addWidget(group("Functional complaints", function))

        symptoms = form_layout()
        self.add_row(symptoms, "symptoms", CheckList(vocab.SYMPTOMS, columns=2), "Symptoms")
        left.addWidget(group("Symptoms", symptoms))

        risks = form_layout()
        self.add_row(
            risks, "nsaid_cautions", CheckList(vocab.NSAID_CAUTIONS, columns=1), "NSAID cautions"
        )
        nicotine = TriState("Uses nicotine", ("Yes", "No", "Not asked"))
        self.add_row(risks, "nicotine", nicotine, "Uses nicotine")
        left.addWidget(group("Risk factors", risks))
        left.addStretch(1)

        # provocation tests: one row per test, Yes / No / Not done
        tests = QGridLayout()
        heading = QLabel("Reproduces the familiar pain?")
        heading.setWordWrap(True)
        tests.addWidget(heading, 0, 0, 1, 2)
        for row, test in enumerate((*LASLETT_TESTS, "fortin_finger"), start=1):
            widget = TriState(vocab.LABELS[test])
            label = QLabel(f"{vocab.LABELS[test]}:")
            if test == "fortin_finger":
                label.setToolTip(
                    "Fortin finger test: the patient points with one finger within 1 cm "
                    "inferomedial to the PSIS (posterior superior iliac spine), twice."
                )
            label.setBuddy(widget)
            tests.addWidget(label, row, 0)
            tests.addWidget(widget, row, 1)
            self.register(test, widget)
        errors = QVBoxLayout()
        for test in (*LASLETT_TESTS, "fortin_finger"):
            errors.addWidget(self.error_label(test))
        tests.addLayout(errors, 8, 0, 1, 2)
        tests.setColumnStretch(1, 1)
        box = group("Provocation tests (Laslett cluster) and Fortin", tests)
        box.setToolTip(
            "Laslett cluster: distraction, thigh thrust, compression, sacral thrust and "
            "Gaenslen left and right. Positive = reproduces the patient's familiar pain."
        )
        right.addWidget(box)

        flags = form_layout()
        self.add_row(flags, "red_flags", CheckList(vocab.RED_FLAGS, columns=1), "Red flags")
        right.addWidget(group("Red flags (any one suspends the routine pathway)", flags))

        inflammatory = form_layout()
        self.add_row(
            inflammatory, "inflammatory", CheckList(vocab.INFLAMMATORY, columns=1), "Features"
        )
        right.addWidget(group("Inflammatory back pain features", inflammatory))

        findings = form_layout()
        self.add_row(
            findings, "findings", NotesField("What you found, in your words", lines=3), "Findings"
        )
        right.addWidget(group("Findings", findings))
        right.addStretch(1)
