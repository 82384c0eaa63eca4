"""Icons drawn with QPainter (no icon files fetched or bundled from elsewhere).

Each icon is drawn on a 100 x 100 canvas and rendered at several pixel sizes
so it stays sharp at any scale factor. Timeline kinds have a shape *and* a
colour *and* a text label wherever they appear: colour is never alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

SIZES = (16, 20, 24, 32, 40, 48, 64, 96)

Draw = Callable[[QPainter], None]


@dataclass(frozen=True)
class KindStyle:
    label: str
    colour: str
    shape: str
    symbol: str  # the text symbol used in plain-text places (legend, tooltips)


@functools.cache
def kind_styles() -> dict[str, KindStyle]:
    """Every kind's look, as each kind declares it (sijdesk/kinds); the window only draws
    it. Read on first use: the kinds load the data model, which the sign-in door,
    drawn with these icons, must not wait for."""
    from sijdesk.kinds import KINDS

    return {
        k.name: KindStyle(k.label, k.style.colour, k.style.shape, k.style.symbol)
        for k in KINDS.values()
    }


def kind_style(kind: str) -> KindStyle:
    return kind_styles().get(
        kind, KindStyle(kind.replace("_", " ").title(), "#555555", "circle", "•")
    )


def _pixmap(draw: Draw, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 100.0, size / 100.0)
    draw(painter)
    painter.end()
    return pixmap


def _render(draw: Draw) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(_pixmap(draw, size))
    return icon


def _pen(colour: QColor | str, width: float = 7) -> QPen:
    pen = QPen(QColor(colour))
    pen.setWidthF(width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def _poly(*points: tuple[float, float]) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in points])


def _shape(p: QPainter, shape: str, colour: str) -> None:
    fill = QColor(colour)
    p.setPen(_pen(fill.darker(130), 5))
    p.setBrush(QBrush(fill))
    if shape == "diamond":
        p.drawPolygon(_poly((50, 8), (92, 50), (50, 92), (8, 50)))
    elif shape == "circle":
        p.drawEllipse(QRectF(12, 12, 76, 76))
    elif shape == "triangle":
        p.drawPolygon(_poly((50, 8), (94, 88), (6, 88)))
    elif shape == "bars":
        p.drawRect(QRectF(10, 55, 20, 35))
        p.drawRect(QRectF(40, 30, 20, 60))
        p.drawRect(QRectF(70, 10, 20, 80))
    elif shape == "capsule":
        p.save()
        p.translate(50, 50)
        p.rotate(-45)
        p.drawRoundedRect(QRectF(-42, -18, 84, 36), 18, 18)
        p.setPen(_pen("white", 5))
        p.drawLine(QPointF(0, -16), QPointF(0, 16))
        p.restore()
    elif shape == "person":
        p.drawEllipse(QRectF(32, 8, 36, 36))
        p.drawRoundedRect(QRectF(14, 50, 72, 42), 20, 20)
    elif shape == "cross":
        p.drawPolygon(
            _poly(
                (38, 8), (62, 8), (62, 38), (92, 38), (92, 62), (62, 62),
                (62, 92), (38, 92), (38, 62), (8, 62), (8, 38), (38, 38),
            )
        )  # fmt: skip
    elif shape == "nosign":
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(_pen(fill, 12))
        p.drawEllipse(QRectF(12, 12, 76, 76))
        p.drawLine(QPointF(24, 76), QPointF(76, 24))
    elif shape == "lines":
        p.drawRoundedRect(QRectF(14, 6, 72, 88), 8, 8)
        p.setPen(_pen("white", 7))
        for y in (28, 48, 68):
            p.drawLine(QPointF(28, y), QPointF(72, y))
    elif shape == "star":
        p.drawPolygon(_star(50, 52, 46, 19))
    elif shape == "page":
        path = QPainterPath()
        path.moveTo(16, 6)
        path.lineTo(64, 6)
        path.lineTo(86, 28)
        path.lineTo(86, 94)
        path.lineTo(16, 94)
        path.closeSubpath()
        p.drawPath(path)
        p.setPen(_pen("white", 6))
        for y in (44, 60, 76):
            p.drawLine(QPointF(30, y), QPointF(72, y))
    elif shape == "square":  # a scan: a frame with a ring inside
        p.drawRoundedRect(QRectF(8, 8, 84, 84), 10, 10)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(_pen("white", 8))
        p.drawEllipse(QRectF(28, 28, 44, 44))
    else:
        p.drawEllipse(QRectF(20, 20, 60, 60))


def _star(cx: float, cy: float, outer: float, inner: float) -> QPolygonF:
    import math

    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append(QPointF(cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    return QPolygonF(points)


@functools.cache
def kind_icon(kind: str) -> QIcon:
    style = kind_style(kind)
    return _render(lambda p: _shape(p, style.shape, style.colour))


def _plus(p: QPainter, x: float = 74, y: float = 74, colour: str = "#2e7d32") -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    p.drawEllipse(QRectF(x - 25, y - 25, 50, 50))
    p.setBrush(QColor(colour))
    p.drawEllipse(QRectF(x - 21, y - 21, 42, 42))
    p.setPen(_pen("white", 8))
    p.drawLine(QPointF(x - 11, y), QPointF(x + 11, y))
    p.drawLine(QPointF(x, y - 11), QPointF(x, y + 11))


def _draw_new_patient(p: QPainter) -> None:
    p.setPen(_pen("#1f5fa8", 5))
    p.setBrush(QColor("#5b8fd1"))
    p.drawEllipse(QRectF(22, 6, 36, 36))
    p.drawRoundedRect(QRectF(6, 46, 68, 46), 22, 22)
    _plus(p)


def _draw_new_episode(p: QPainter) -> None:
    p.setPen(_pen("#8d6e00", 5))
    p.setBrush(QColor("#f2c94c"))
    path = QPainterPath()
    path.moveTo(6, 24)
    path.lineTo(36, 24)
    path.lineTo(44, 32)
    path.lineTo(90, 32)
    path.lineTo(90, 86)
    path.lineTo(6, 86)
    path.closeSubpath()
    p.drawPath(path)
    _plus(p, 72, 70)


def _draw_record(p: QPainter) -> None:
    p.setPen(_pen("#455a64", 5))
    p.setBrush(QColor("#eceff1"))
    p.drawRoundedRect(QRectF(10, 8, 62, 84), 6, 6)
    p.setPen(_pen("#90a4ae", 5))
    for y in (28, 44, 60):
        p.drawLine(QPointF(22, y), QPointF(58, y))
    p.save()
    p.translate(70, 56)
    p.rotate(40)
    p.setPen(_pen("#5d4037", 4))
    p.setBrush(QColor("#ffb74d"))
    p.drawRect(QRectF(-8, -40, 16, 60))
    p.setBrush(QColor("#5d4037"))
    p.drawPolygon(_poly((-8, 20), (8, 20), (0, 36)))
    p.restore()


def _draw_letter(p: QPainter) -> None:
    p.setPen(_pen("#37474f", 6))
    p.setBrush(QColor("#fafafa"))
    p.drawRect(QRectF(8, 22, 84, 58))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPolyline(_poly((8, 22), (50, 56), (92, 22)))


def _draw_care_plan(p: QPainter) -> None:
    p.setPen(_pen("#37474f", 5))
    p.setBrush(QColor("#fafafa"))
    p.drawRoundedRect(QRectF(14, 12, 72, 84), 6, 6)
    p.setBrush(QColor("#78909c"))
    p.drawRoundedRect(QRectF(34, 4, 32, 16), 4, 4)
    p.setPen(_pen("#2e7d32", 7))
    for y in (38, 58, 78):
        p.drawPolyline(_poly((24, y), (30, y + 6), (40, y - 6)))
    p.setPen(_pen("#90a4ae", 5))
    for y in (38, 58, 78):
        p.drawLine(QPointF(50, y), QPointF(76, y))


def _draw_handouts(p: QPainter) -> None:
    for offset, shade in ((16, "#cfd8dc"), (8, "#e0e0e0"), (0, "#fafafa")):
        p.setPen(_pen("#546e7a", 5))
        p.setBrush(QColor(shade))
        p.drawRect(QRectF(10 + offset, 20 - offset, 60, 74))
    p.setPen(_pen("#1f5fa8", 7))
    p.drawLine(QPointF(40, 46), QPointF(40, 76))
    p.drawPoint(QPointF(40, 34))


def _draw_print(p: QPainter) -> None:
    p.setPen(_pen("#37474f", 5))
    p.setBrush(QColor("#fafafa"))
    p.drawRect(QRectF(26, 6, 48, 30))
    p.setBrush(QColor("#78909c"))
    p.drawRoundedRect(QRectF(6, 32, 88, 40), 8, 8)
    p.setBrush(QColor("#fafafa"))
    p.drawRect(QRectF(24, 58, 52, 36))


def _draw_warning(p: QPainter) -> None:
    p.setPen(_pen("#8a5a00", 5))
    p.setBrush(QColor("#f9a825"))
    p.drawPolygon(_poly((50, 6), (96, 90), (4, 90)))
    p.setPen(_pen("#222222", 10))
    p.drawLine(QPointF(50, 36), QPointF(50, 62))
    p.drawPoint(QPointF(50, 77))


def _draw_close(p: QPainter) -> None:
    p.setPen(_pen("#455a64", 5))
    p.setBrush(QColor("#eceff1"))
    p.drawRoundedRect(QRectF(8, 8, 84, 84), 10, 10)
    p.setPen(_pen("#455a64", 10))
    p.drawLine(QPointF(32, 32), QPointF(68, 68))
    p.drawLine(QPointF(68, 32), QPointF(32, 68))


def _draw_search(p: QPainter) -> None:
    p.setPen(_pen("#37474f", 10))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QRectF(10, 10, 54, 54))
    p.drawLine(QPointF(58, 58), QPointF(90, 90))


def _draw_app(p: QPainter) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f5fa8"))
    p.drawRoundedRect(QRectF(4, 4, 92, 92), 18, 18)
    # a stylised pelvis: two iliac wings and the sacrum between them
    p.setBrush(QColor("white"))
    p.drawEllipse(QRectF(12, 22, 36, 44))
    p.drawEllipse(QRectF(52, 22, 36, 44))
    p.setBrush(QColor("#f2c94c"))
    p.drawPolygon(_poly((40, 26), (60, 26), (56, 72), (44, 72)))


def _draw_due(p: QPainter) -> None:
    """A clock face: who is due for a call back."""
    p.setPen(_pen("#37474f", 6))
    p.setBrush(QColor("#fafafa"))
    p.drawEllipse(QRectF(8, 8, 84, 84))
    p.setPen(_pen("#1f5fa8", 7))
    p.drawLine(QPointF(50, 50), QPointF(50, 24))
    p.drawLine(QPointF(50, 50), QPointF(70, 60))


_ACTIONS: dict[str, Draw] = {
    "new_patient": _draw_new_patient,
    "new_episode": _draw_new_episode,
    "record": _draw_record,
    "letter": _draw_letter,
    "care_plan": _draw_care_plan,
    "handouts": _draw_handouts,
    "print": _draw_print,
    "warning": _draw_warning,
    "close": _draw_close,
    "search": _draw_search,
    "due": _draw_due,
    "app": _draw_app,
}


@functools.cache
def action_icon(name: str) -> QIcon:
    return _render(_ACTIONS[name])


def save_app_icon(path: str, size: int = 256, image_format: str = "PNG") -> bool:
    """Write the window's icon to a file (menus; Windows ICO and macOS ICNS for the freezer)."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])
    assert app is not None
    # Drawn at the size asked for: the window's icon holds small sizes only.
    return _pixmap(_draw_app, size).save(path, image_format)
