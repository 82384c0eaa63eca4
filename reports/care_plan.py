"""The patient's care plan: plain language, optionally in large print.

It says where the patient is on the stepwise path and why, what each step
involves, the home programme and belt guidance chosen (from the advice's
components), the supporting role of medicines, goals framed as things the
patient wants to be able to do, the next review date, and a chart of their
pain (NRS) and disability (ODI) scores over time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from reportlab.platypus import Flowable, KeepTogether, Spacer

from sijdesk.reports import charts, drawings, fonts
from sijdesk.reports import wording as w
from sijdesk.reports.blocks import allergy_paragraph, boxed, bullets, p, rich
from sijdesk.reports.content import EpisodeContent
from sijdesk.reports.styles import DocumentMeta, build_pdf, frame_width, stylesheet

TITLE = "Your care plan"
# The one place the plan names the joint in full; after this it is "the SI joint".
INTRODUCTION = (
    "Your sacroiliac joint (SI joint) is where your spine meets your pelvis. This plan "
    "sets out how we will treat your pain, one step at a time, and what you can do."
)


@dataclass(frozen=True)
class CarePlanOptions:
    large_print: bool = False
    goals: tuple[str, ...] = field(default_factory=tuple)
    review_date: date | None = None
    page_size: str | None = None

    def to_dict(self) -> dict:
        return {
            "large_print": self.large_print,
            "goals": list(self.goals),
            "review_date": self.review_date.isoformat() if self.review_date else None,
            "page_size": self.page_size,
        }


def plan_step(c: EpisodeContent) -> str | None:
    """The step the patient is on: the clinician's recorded choice, else the advice."""
    if c.advice is None:
        return None
    return c.current_step or c.advice.step


def default_review_date(c: EpisodeContent) -> date:
    if c.advice is None:
        return c.as_of + timedelta(weeks=12)
    if c.advice.triage == "urgent_referral":
        return c.as_of + timedelta(weeks=2)
    step = plan_step(c)
    return c.as_of + timedelta(weeks={"surgery_evaluation": 8}.get(step or "", 6))


def default_goals(c: EpisodeContent) -> tuple[str, ...]:
    """Goals framed as function, from the record; the clinician edits them."""
    goals = ["Get up from a chair and climb stairs without sharp pain."]
    odi = [o.odi_percent for o in c.outcomes if o.odi_percent is not None]
    functional = set(c.exam.functional) if c.exam else set()
    if odi and odi[-1] >= 40:
        goals.append("Manage washing, dressing and light housework with less help and less pain.")
    if functional & {"instability", "weakness", "inhibition"}:
        goals.append("Stand and walk with confidence, and use the belt only for hard tasks.")
    goals.append("Walk for 20 to 30 minutes at an easy pace on most days.")
    step = plan_step(c)
    if step == "injection":
        goals.append("Use the weeks after the injection to build up your exercises.")
    elif step == "surgery_evaluation":
        goals.append("Decide with the surgeon if an operation is right for you.")
    else:
        goals.append("Get back to the work, sport or hobbies that matter most to you.")
    return tuple(goals)


def complete_options(
    c: EpisodeContent,
    *,
    large_print: bool = False,
    goals: tuple[str, ...] | list[str] | None = None,
    review_date: date | None = None,
    page_size: str | None = None,
) -> CarePlanOptions:
    cleaned = tuple(g.strip() for g in (goals or ()) if g and g.strip())
    return CarePlanOptions(
        large_print=large_print,
        goals=cleaned or default_goals(c),
        review_date=review_date or default_review_date(c),
        page_size=page_size,
    )


# -- wording --------------------------------------------------------------------------------------


def where_you_are(c: EpisodeContent) -> list[str]:
    """Plain sentences: where the patient is on the path, and why."""
    a = c.advice
    if a is None:
        when = f" ({c.closed_by})" if c.closed_by else ""
        return [
            f"You have had an operation to join the bones of your SI joint{when}. Your plan "
            "now is to heal well and get back to the things you do each day."
        ]
    if a.triage == "urgent_referral":
        return [
            "Some of the things you told us need to be checked soon by a specialist. We have "
            "asked for an urgent appointment for you. Your usual treatment stops until then."
        ]
    weeks = c.therapy.weeks_to(c.as_of)
    out: list[str] = []
    if a.triage == "rheumatology_referral":
        out.append(
            "Some signs of your back pain can come from swelling inside the joints "
            "(inflammation). We have asked a joint specialist (a rheumatologist) to see you. "
            "In the meantime, keep going with physio and your home programme."
        )
    elif a.triage == "other_source":
        out.append(
            "Your pain is mostly above the belt line. So it may come from your lower back, not "
            "the SI joint. Keep going with physio and your home programme while we look into "
            "this."
        )
    step = plan_step(c)
    if step == "conservative" and a.triage == "sij_pathway":
        if c.therapy.sessions == 0:
            out.append(
                "You are at the first step: physio and a home programme. This helps most people "
                "with this problem."
            )
        elif a.scores.response == "good":
            out.append(
                f"You have had {w.weeks(weeks)} of physio. Your pain, or what you can do, has "
                "clearly got better. So the plan is to keep going with it."
            )
        else:
            out.append(
                f"You have had {w.weeks(weeks)} of physio. We will keep going with it and with "
                "your home programme. We will check how you are doing at your next review."
            )
    elif step == "injection":
        why = (
            "to check if this joint is the main cause of your pain"
            if a.injection_purpose == "diagnostic"
            else "with a steroid to ease the pain, so that your exercises can work better"
        )
        out.append(
            f"You have had {w.weeks(weeks)} of physio, and it has not helped enough. Your "
            "exam points to the SI joint. The next step is an injection into the joint, "
            f"{why}. Your exercises are still important."
        )
    elif step == "surgery_evaluation":
        out.append(
            "Your pain has gone on in spite of physio and injections. Tests have shown that "
            "the SI joint is the main cause. We are asking a spine surgeon if an operation to "
            "join the bones of the joint could help you. This is a talk, not a decision. You "
            "choose what happens next."
        )
    if c.current_step and c.current_step != a.step:
        out.append("Your clinician has talked this choice through with you.")
    return out


STEP_TEXT = (
    (
        "Step 1: physio and a home programme",
        "Hands-on care, exercises, and practice of the moves you make each day. Tape or a "
        "belt can help if the joint feels loose. Most people need nothing more.",
    ),
    (
        "Step 2: an injection into the joint",
        "X-ray or ultrasound pictures guide the needle. A numbing injection can show if the "
        "joint is the cause. A steroid injection can calm the pain for a while. We offer it "
        "only after you have tried physio.",
    ),
    (
        "Step 3: an operation to join the bones of the joint",
        "For the few people whose bad pain goes on after all else, once tests show that the "
        "joint is the cause.",
    ),
    (
        "At every step: medicines",
        "They can make it easier to move and exercise. On their own, they seldom fix the problem.",
    ),
)

COMPONENT_TEXT = {
    "met": (
        "Freeing up a stiff joint",
        "Your physio will use muscle energy techniques. You push gently against their hand, "
        "then relax. This helps the joint and muscles move more freely.",
    ),
    "motor_retraining": (
        "Training your muscles again",
        "Do the exercises you were shown every day, little and often: gentle bracing, "
        "bridges and sit to stand. Move on to harder ones as you get better. They teach the "
        "muscles around your hip and pelvis to hold the joint steady again.",
    ),
    "manual_therapy_support": (
        "Support for a joint that feels loose",
        "Tape or an SI joint belt can make the joint feel steadier while your muscles get "
        "stronger.",
    ),
}

BELT_GUIDANCE = (
    "Wear the belt low, just below the bony tops of your hips. It should be snug but not tight.",
    "Use it for the things that bring on your pain, for 1 to 2 hours at first.",
    "Check your skin each day. Take the belt off if it hurts more or your legs tingle.",
    "Plan to use it less as you get stronger.",
)

NSAID_CAUTION_WORDS = {
    "gi_bleed_history": "a past stomach bleed or ulcer",
    "renal_disease": "kidney disease",
    "cardiovascular_disease": "heart or circulation disease",
    "anticoagulant": "a blood thinner you take",
    "pregnancy": "pregnancy",
}


def medicine_lines(c: EpisodeContent) -> list[str]:
    a = c.advice
    lines: list[str] = []
    older = c.age >= c.threshold("older_age", 65)
    for med in a.medications if a else ():
        if med.category == "nsaid":
            if med.advisable:
                lines.append(
                    "An anti-inflammatory painkiller (NSAID) may help when the pain flares up. "
                    "Take the lowest dose that helps, for the shortest time, with food."
                )
            else:
                reasons = [
                    NSAID_CAUTION_WORDS[x]
                    for x in (c.exam.nsaid_cautions if c.exam else ())
                    if x in NSAID_CAUTION_WORDS
                ]
                if older:
                    reasons.append("your age")
                why = f" because of {w.join(reasons)}" if reasons else ""
                lines.append(
                    f"Anti-inflammatory painkillers (NSAIDs) may not be safe for you{why}. "
                    "Please ask your doctor or pharmacist before you take any."
                )
        elif med.category == "muscle_relaxant":
            if med.advisable:
                lines.append(
                    "A short course of a muscle relaxant (2 to 3 weeks) may ease muscle spasm. It "
                    "can make you sleepy. Do not drive until you know how it affects you."
                )
            else:
                lines.append(
                    "Muscle relaxants are best avoided for you, as they can cause confusion and "
                    "falls. Ask us about other ways to ease spasm, such as heat."
                )
        elif med.category == "neuropathic_agent":
            lines.append(
                "Medicines for nerve pain are not often advised for this kind of pain. If you "
                "take one, never take it with opioid painkillers or sleeping pills unless your "
                "doctor has checked this."
            )
    return lines


def change_sentences(c: EpisodeContent) -> list[str]:
    nrs = [(o.day, o.nrs) for o in c.outcomes if o.nrs is not None]
    odi = [(o.day, o.odi_percent) for o in c.outcomes if o.odi_percent is not None]
    out = []
    if len(nrs) >= 2:
        (first_day, a), (last_day, b) = nrs[0], nrs[-1]
        trend = "lower" if b < a else ("higher" if b > a else "the same")
        out.append(
            f"Your pain score was {a} out of 10 on {first_day.isoformat()} and "
            f"{b} out of 10 on {last_day.isoformat()} ({trend})."
        )
    elif nrs:
        day, score = nrs[-1]
        out.append(f"Your pain score was {score} out of 10 on {day.isoformat()}.")
    if len(odi) >= 2:
        (_, a_odi), (_, b_odi) = odi[0], odi[-1]
        trend = (
            "it holds you back less"
            if b_odi < a_odi
            else ("it holds you back more" if b_odi > a_odi else "about the same as before")
        )
        out.append(
            f"Your activity score (how much the pain holds you back each day) went from "
            f"{w.num(a_odi, '%')} to {w.num(b_odi, '%')}: {trend}."
        )
    elif odi:
        day, percent = odi[-1]
        out.append(
            f"Your activity score (how much the pain holds you back each day) was "
            f"{w.num(percent, '%')} on {day.isoformat()}."
        )
    return out


URGENT_SIGNS = (
    "numbness around your bottom, genitals or inner thighs",
    "new trouble peeing, or not being able to control your bladder or bowels",
    "weak or numb legs, and this is getting worse",
    "a fever, or feeling unwell as well as the pain",
    "very bad pain at night that nothing eases, or weight loss without trying",
)


# -- the document ---------------------------------------------------------------------------------


def build_care_plan_story(c: EpisodeContent, options: CarePlanOptions) -> list[Flowable]:
    st = stylesheet(options.large_print)
    width = frame_width(options.page_size or c.letterhead.page_size)
    label = 11.5 if options.large_print else 8.5
    story: list[Flowable] = [p(TITLE, st.title)]
    who = f"<b>{fonts.markup(c.patient.full_name)}</b>"
    by = fonts.markup(c.signer.name)
    if c.signer.credentials:
        by += f", {fonts.markup(c.signer.credentials)}"
    story.append(rich(f"Prepared for {who} on {c.as_of.isoformat()} by {by}.", st.body))
    story.append(p(INTRODUCTION, st.body))
    story.append(allergy_paragraph(c.allergies, st.body))

    story.append(p("Where you are now", st.h1))
    step = plan_step(c)
    if c.advice is None and c.closed_by:
        path = drawings.steps(
            width, current="surgery_evaluation", label_size=label, marker="DONE: YOUR OPERATION"
        )
    else:
        path = drawings.steps(width, current=step, label_size=label)
    story.append(path)
    story.append(Spacer(1, st.base_size * 0.4))
    story.extend(p(text, st.body) for text in where_you_are(c))

    story.append(p("What each step involves", st.h1))
    for heading, text in STEP_TEXT:
        story.append(rich(f"<b>{fonts.markup(heading)}.</b> {fonts.markup(text)}", st.body))

    story.append(p("Your home programme", st.h1))
    chosen = [x.id for x in c.advice.components] if c.advice else []
    urgent = c.advice is not None and c.advice.triage == "urgent_referral"
    if urgent:
        chosen = []
        story.append(
            p(
                "Until the specialist has seen you, keep gently active as far as you can. Stay "
                "away from anything that clearly makes the pain worse. We will agree your "
                "exercises with you after that visit.",
                st.body,
            )
        )
    elif not chosen:
        chosen = [x for x in c.therapy.components if x in COMPONENT_TEXT] or ["motor_retraining"]
    for ident in chosen:
        heading, text = COMPONENT_TEXT[ident]
        story.append(rich(f"<b>{fonts.markup(heading)}.</b> {fonts.markup(text)}", st.body))
    if not urgent:
        story.append(
            p(
                "Walk every day. When you sit, change position often. Keep doing the things you "
                "enjoy as far as you can.",
                st.body,
            )
        )
    if "manual_therapy_support" in chosen:
        story.append(KeepTogether([p("Using your belt", st.h2), *bullets(BELT_GUIDANCE, st)]))

    story.append(p("Medicines: a supporting role", st.h1))
    story.append(
        p(
            "Medicines can ease the pain so that you can keep active. On their own, they "
            "seldom fix the problem.",
            st.body,
        )
    )
    lines = medicine_lines(c)
    story.extend(bullets(lines, st))
    current = c.current_medications()
    if not lines and not current:
        story.append(p("No medicine is part of your plan right now.", st.body))
    if current:
        names = w.join([m.name for m in current])
        story.append(p(f"Medicines on record for you now: {names}.", st.body))
    story.append(
        p(
            "Tell us about any medicine you buy yourself. Our leaflet on medicines says how to "
            "use them safely.",
            st.body,
        )
    )

    story.append(
        KeepTogether(
            [
                p("Your goals", st.h1),
                p("What we are working towards together:", st.body),
                *bullets(options.goals, st),
            ]
        )
    )

    story.append(p("How things have changed", st.h1))
    points = [charts.ChartPoint(o.day, o.nrs, o.odi_percent) for o in c.outcomes]
    if points:
        story.append(
            charts.outcome_chart(
                points,
                width=width,
                large=options.large_print,
                injections=[i.day for i in c.injections],
            )
        )
        story.append(Spacer(1, st.base_size * 0.4))
        story.extend(p(text, st.body) for text in change_sentences(c))
    else:
        story.append(
            p(
                "We have not written down your pain and activity scores yet. We will start at "
                "your next visit, so that you can see how things change.",
                st.body,
            )
        )

    review = options.review_date or default_review_date(c)
    story.append(
        KeepTogether(
            [
                p("Your next review", st.h1),
                boxed(
                    [
                        rich(
                            f"<b>{review.strftime('%A')} {review.isoformat()}</b>. Bring this "
                            "plan and any questions. We will ask about your pain and what you "
                            "can do, and agree the next step together.",
                            st.box,
                        )
                    ],
                    width,
                ),
            ]
        )
    )

    ending: list[Flowable] = [
        p("Get help straight away if you notice", st.h1),
        *bullets(URGENT_SIGNS, st),
        p(
            "Call the clinic or your doctor. If you cannot reach them, call emergency "
            "services. These problems are rare, but they need to be checked quickly.",
            st.body,
        ),
        Spacer(1, st.base_size),
    ]
    contact = f"Your clinician: {c.signer.name}"
    if c.signer.credentials:
        contact += f", {c.signer.credentials}"
    ending.append(p(contact + ".", st.body))
    clinic = c.letterhead.clinic_name.strip()
    phone = c.letterhead.phone.strip().replace(" ", "\u00a0")
    if clinic or phone:
        reach = "Contact us: " + ", ".join(
            x for x in (clinic, f"tel. {phone}" if phone else "") if x
        )
        ending.append(p(reach + ".", st.body))
    ending.append(
        p(
            f"This plan follows our clinic's steps of care for SI joint pain (pathway "
            f"version {c.pathway_version}).",
            st.muted,
        )
    )
    # One block, so that the last lines never stand alone on a page of their own.
    story.append(KeepTogether(ending))
    return story


def render_care_plan(
    c: EpisodeContent, options: CarePlanOptions, *, created: datetime | None = None
) -> bytes:
    meta = DocumentMeta(
        title=TITLE + (" (large print)" if options.large_print else ""),
        subject=f"Care plan for {c.patient.display_name}, record {c.patient.record_number}",
        author=c.signer.name,
        created=created or datetime.now(UTC),
        keywords=("SIJ Desk", "care plan", f"pathway {c.pathway_version}"),
        footer_note=f"SIJ Desk pathway {c.pathway_version}",
    )
    return build_pdf(
        build_care_plan_story(c, options),
        letterhead=c.letterhead,
        identity=c.patient.identity(),
        meta=meta,
        large_print=options.large_print,
        page_size=options.page_size,
    )
