"""Simple drawings made with ReportLab graphics for handouts and the care plan.

Nothing here is copied: the pelvis, the belt and the exercise figures are
plain shapes meant to orient a patient, not anatomical illustrations. Every
drawing labels its parts in words, so it reads in black and white.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Ellipse,
    Group,
    Line,
    Path,
    Polygon,
    Rect,
    String,
)
from reportlab.lib import colors

from sijdesk.reports import fonts

BONE = colors.HexColor("#efe6d2")
BONE_EDGE = colors.HexColor("#6b5b3e")
JOINT = colors.HexColor("#c0392b")
INK = colors.HexColor("#222222")
ACCENT = colors.HexColor("#1f4e79")
BELT = colors.Color(0.12, 0.31, 0.47, alpha=0.55)
STEP_FILL = colors.HexColor("#eef2f6")
CURRENT_FILL = colors.HexColor("#d7e6f5")


def _label(d, x, y, text, size, *, anchor="start", bold=False, colour=INK):
    d.add(
        String(
            x,
            y,
            text,
            fontName=fonts.SANS_BOLD if bold else fonts.SANS,
            fontSize=size,
            fillColor=colour,
            textAnchor=anchor,
        )
    )


class _Canvas:
    """Maps unit coordinates (x -1..1 about the centre, y 0..1) into a drawing box."""

    def __init__(self, x0: float, y0: float, width: float, height: float):
        self.x0, self.y0, self.w, self.h = x0, y0, width, height

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        return self.x0 + (x + 1) / 2 * self.w, self.y0 + y * self.h

    def pts(self, *xy: tuple[float, float]) -> list[float]:
        out: list[float] = []
        for x, y in xy:
            out.extend(self(x, y))
        return out


def _ilium(m: _Canvas, side: int) -> Path:
    """One hip bone (viewer's right for side=1, left for side=-1), front view."""

    def pt(x, y):
        return m(side * x, y)

    path = Path(fillColor=BONE, strokeColor=BONE_EDGE, strokeWidth=1)
    path.moveTo(*pt(0.23, 0.78))
    path.curveTo(*pt(0.35, 0.96), *pt(0.7, 1.0), *pt(0.93, 0.9))
    path.curveTo(*pt(1.0, 0.8), *pt(0.92, 0.62), *pt(0.82, 0.5))
    path.curveTo(*pt(0.74, 0.36), *pt(0.7, 0.2), *pt(0.55, 0.12))
    path.curveTo(*pt(0.4, 0.06), *pt(0.18, 0.08), *pt(0.05, 0.12))
    path.lineTo(*pt(0.05, 0.2))
    path.curveTo(*pt(0.18, 0.24), *pt(0.24, 0.3), *pt(0.13, 0.34))
    path.closePath()
    return path


def pelvis(
    width: float,
    height: float,
    *,
    label_size: float = 8,
    belt_line: bool = True,
    belt: bool = False,
) -> Drawing:
    """A front view of the pelvis with both sacroiliac joints marked."""
    fonts.register_fonts()
    d = fonts.drawing(width, height)
    margin_x = width * 0.22
    m = _Canvas(margin_x, height * 0.06, width - 2 * margin_x, height * 0.78)
    # Lower lumbar spine.
    for i, y in enumerate((0.83, 0.93, 1.03)):
        x1, y1 = m(-0.12 + i * 0.005, y)
        x2, y2 = m(0.12 - i * 0.005, y + 0.08)
        d.add(Rect(x1, y1, x2 - x1, y2 - y1, rx=2, ry=2, fillColor=BONE, strokeColor=BONE_EDGE))
    for side in (-1, 1):
        d.add(_ilium(m, side))
        cx, cy = m(side * 0.45, 0.24)
        d.add(
            Ellipse(cx, cy, m.w * 0.055, m.h * 0.07, fillColor=colors.white, strokeColor=BONE_EDGE)
        )
        hx, hy = m(side * 0.86, 0.42)
        d.add(Circle(hx, hy, m.w * 0.05, fillColor=colors.white, strokeColor=BONE_EDGE))
    # Sacrum and coccyx.
    d.add(
        Polygon(
            m.pts(
                (-0.22, 0.8), (0.22, 0.8), (0.12, 0.34), (0.03, 0.22), (-0.03, 0.22), (-0.12, 0.34)
            ),
            fillColor=colors.HexColor("#e4d6b4"),
            strokeColor=BONE_EDGE,
        )
    )
    # The joints.
    for side in (-1, 1):
        d.add(
            Line(*m(side * 0.225, 0.79), *m(side * 0.125, 0.35), strokeColor=JOINT, strokeWidth=3.2)
        )
    if belt:
        x1, y1 = m(-1.08, 0.4)
        x2, y2 = m(1.08, 0.58)
        d.add(
            Rect(
                x1,
                y1,
                x2 - x1,
                y2 - y1,
                rx=4,
                ry=4,
                fillColor=BELT,
                strokeColor=ACCENT,
                strokeWidth=1,
            )
        )
        _label(
            d,
            x2 + 4,
            (y1 + y2) / 2 - label_size / 2,
            "SI joint belt",
            label_size,
            bold=True,
            colour=ACCENT,
        )
        _label(d, x2 + 4, (y1 + y2) / 2 - label_size * 1.7, "below the", label_size * 0.9)
        _label(d, x2 + 4, (y1 + y2) / 2 - label_size * 2.7, "hip-bone tops", label_size * 0.9)
    if belt_line:
        x1, y = m(-1.15, 0.97)
        x2, _ = m(1.15, 0.97)
        d.add(Line(x1, y, x2, y, strokeColor=ACCENT, strokeWidth=1, strokeDashArray=[5, 3]))
        _label(
            d,
            x1 - 4,
            y - label_size * 0.35,
            "belt line",
            label_size,
            anchor="end",
            colour=ACCENT,
            bold=True,
        )
    # Labels with leader lines.
    jx, jy = m(0.18, 0.6)
    lx = width - margin_x * 0.98
    d.add(Line(jx, jy, lx - 3, jy - height * 0.3, strokeColor=INK, strokeWidth=0.6))
    _label(
        d,
        lx,
        jy - height * 0.3 - label_size * 0.3,
        "Sacroiliac",
        label_size,
        bold=True,
        colour=JOINT,
    )
    _label(
        d,
        lx,
        jy - height * 0.3 - label_size * 1.35,
        "joint (SI joint)",
        label_size,
        bold=True,
        colour=JOINT,
    )
    sx, sy = m(0.0, 0.55)
    d.add(Line(sx, sy, margin_x * 0.9, sy - height * 0.22, strokeColor=INK, strokeWidth=0.6))
    _label(
        d,
        margin_x * 0.88,
        sy - height * 0.22 - label_size * 0.35,
        "Sacrum",
        label_size,
        anchor="end",
    )
    ix, iy = m(-0.75, 0.82)
    d.add(Line(ix, iy, margin_x * 0.9, iy + height * 0.02, strokeColor=INK, strokeWidth=0.6))
    _label(
        d,
        margin_x * 0.88,
        iy + height * 0.02 - label_size * 0.35,
        "Hip bone",
        label_size,
        anchor="end",
    )
    return d


def _stick(d: Drawing, joints: list[tuple[float, float]], width: float = 3.0) -> None:
    for (x1, y1), (x2, y2) in zip(joints, joints[1:], strict=False):
        d.add(Line(x1, y1, x2, y2, strokeColor=INK, strokeWidth=width, strokeLineCap=1))


def _arrow(d: Drawing, x1, y1, x2, y2, colour=ACCENT) -> None:
    d.add(Line(x1, y1, x2, y2, strokeColor=colour, strokeWidth=1.4))
    import math

    angle = math.atan2(y2 - y1, x2 - x1)
    s = 6
    left = (x2 - s * math.cos(angle - 0.45), y2 - s * math.sin(angle - 0.45))
    right = (x2 - s * math.cos(angle + 0.45), y2 - s * math.sin(angle + 0.45))
    d.add(Polygon([x2, y2, *left, *right], fillColor=colour, strokeColor=colour))


def bridge(width: float, height: float, *, label_size: float = 8) -> Drawing:
    """Lying on the back, knees bent, hips lifted."""
    d = fonts.drawing(width, height)
    floor = height * 0.18
    d.add(Line(width * 0.05, floor, width * 0.95, floor, strokeColor=INK, strokeWidth=1))
    sx = width * 0.2
    head = (sx - width * 0.06, floor + height * 0.08)
    d.add(Circle(*head, height * 0.07, fillColor=colors.white, strokeColor=INK, strokeWidth=2))
    shoulder = (sx, floor + height * 0.04)
    hip = (width * 0.52, floor + height * 0.36)
    knee = (width * 0.7, floor + height * 0.5)
    foot = (width * 0.76, floor + height * 0.02)
    _stick(d, [shoulder, hip, knee, foot])
    _stick(d, [shoulder, (width * 0.4, floor + height * 0.02)], width=2.2)
    _arrow(d, hip[0], floor + height * 0.05, hip[0], hip[1] - height * 0.06)
    _label(d, hip[0] + 5, floor + height * 0.1, "lift", label_size, colour=ACCENT, bold=True)
    _label(d, width * 0.5, height * 0.9, "Bridge", label_size * 1.1, anchor="middle", bold=True)
    return d


def sit_to_stand(width: float, height: float, *, label_size: float = 8) -> Drawing:
    """Rising from a chair: lean forward, feet under the knees, push up through both legs."""
    d = fonts.drawing(width, height)
    floor = height * 0.1
    unit = height * 0.62  # one unit of the figure, the same across and up
    left = width / 2 - unit * 0.9

    def at(x: float, y: float) -> tuple[float, float]:
        return left + x * unit, floor + y * unit

    # The chair: back post, seat, front leg.
    _stick(d, [at(0.0, 1.0), at(0.0, 0.0)], width=1.4)
    _stick(d, [at(0.0, 0.45), at(0.5, 0.45), at(0.5, 0.0)], width=1.4)
    # The person at the front of the seat, leaning forward over the feet.
    hip, knee, foot = at(0.48, 0.52), at(0.88, 0.5), at(0.92, 0.0)
    shoulder = at(0.8, 0.98)
    _stick(d, [foot, knee, hip, shoulder])
    _stick(d, [shoulder, at(1.05, 0.72)], width=2.2)
    hx, hy = at(0.9, 1.12)
    d.add(Circle(hx, hy, unit * 0.1, fillColor=colors.white, strokeColor=INK, strokeWidth=2))
    d.add(Line(width * 0.05, floor, width * 0.95, floor, strokeColor=INK, strokeWidth=1))
    _arrow(d, *at(1.2, 0.55), *at(1.35, 0.95))
    _label(d, *at(1.4, 0.7), "stand", label_size, colour=ACCENT, bold=True)
    _label(
        d, width * 0.5, height * 0.92, "Sit to stand", label_size * 1.1, anchor="middle", bold=True
    )
    return d


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if line and fonts.text_width(trial, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


STEP_BOXES = (
    ("conservative", "1", "Physio and home programme"),
    ("injection", "2", "Injection into the SI joint"),
    ("surgery_evaluation", "3", "A surgeon's view (seldom needed)"),
)


def steps(
    width: float,
    *,
    current: str | None = None,
    label_size: float = 8.5,
    marker: str = "YOU ARE HERE",
) -> Drawing:
    """The stepwise path as rising steps, medicines as a bar beneath every step.

    ``current`` (a pathway step id) is marked with a heavier outline, a
    lighter fill and the words ``marker`` above it, never by colour alone.
    """
    fonts.register_fonts()
    step_h = label_size * 4.6
    rise = label_size * 2.2
    top_room = label_size * 3.2 if current else label_size * 0.8
    height = step_h + rise * 2 + top_room + label_size * 3.6
    d = fonts.drawing(width, height)
    gap = label_size * 0.8
    box_w = (width - 2 * gap) / 3
    base = label_size * 3.6
    for index, (step_id, number, text) in enumerate(STEP_BOXES):
        x = index * (box_w + gap)
        y = base + index * rise
        here = step_id == current
        d.add(
            Rect(
                x,
                y,
                box_w,
                step_h,
                rx=4,
                ry=4,
                fillColor=CURRENT_FILL if here else STEP_FILL,
                strokeColor=ACCENT,
                strokeWidth=2.6 if here else 0.8,
            )
        )
        _label(
            d,
            x + label_size * 0.7,
            y + step_h - label_size * 1.5,
            f"Step {number}",
            label_size,
            bold=True,
            colour=ACCENT,
        )
        lines = _wrap(text, fonts.SANS, label_size, box_w - label_size * 1.4)
        for line_no, line in enumerate(lines[:3]):
            _label(
                d,
                x + label_size * 0.7,
                y + step_h - label_size * (2.8 + 1.2 * line_no),
                line,
                label_size,
            )
        if here:
            cx = x + box_w / 2
            ty = y + step_h + label_size * 0.6
            d.add(Polygon([cx - 6, ty + 7, cx + 6, ty + 7, cx, ty], fillColor=INK, strokeColor=INK))
            _label(d, cx, ty + label_size * 1.0, marker, label_size, anchor="middle", bold=True)
    d.add(
        Rect(
            0,
            label_size * 0.4,
            width,
            label_size * 2.4,
            rx=3,
            ry=3,
            fillColor=colors.HexColor("#f4efe4"),
            strokeColor=BONE_EDGE,
            strokeWidth=0.8,
        )
    )
    _label(
        d,
        label_size * 0.7,
        label_size * 1.25,
        "Medicines can help at every step. On their own, they seldom fix the problem.",
        label_size * 0.95,
    )
    return d


def _group(drawings: list[Drawing], width: float, gap: float = 10) -> Drawing:
    """Drawings side by side in one."""
    height = max(x.height for x in drawings)
    out = fonts.drawing(width, height)
    x = 0.0
    for part in drawings:
        g = Group(*part.contents)
        g.translate(x, 0)
        out.add(g)
        x += part.width + gap
    return out


def exercises(width: float, *, label_size: float = 8) -> Drawing:
    half = (width - 10) / 2
    return _group(
        [
            bridge(half, half * 0.45, label_size=label_size),
            sit_to_stand(half, half * 0.45, label_size=label_size),
        ],
        width,
    )


DRAWINGS: dict[str, Callable[[float, float], Drawing]] = {
    "pelvis": lambda width, size: pelvis(width, width * 0.55, label_size=size),
    "belt": lambda width, size: pelvis(width, width * 0.55, label_size=size, belt=True),
    "exercises": lambda width, size: exercises(width, label_size=size),
    "steps": lambda width, size: steps(width, label_size=size),
}
