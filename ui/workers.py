"""Background operations: database work off the GUI thread (like Anki's QueryOp).

One worker thread runs the operations in the order they were asked for, so a
save followed by a reload sees the save. A job is a plain function that calls
the services (each call is its own transaction, so the worker never shares a
session with the GUI thread); its result or exception is posted back to the
GUI thread through a queued signal, where the success or failure callback
runs. Workers never touch widgets.

Callbacks are tied to a *context* QObject (usually the widget that asked);
when that widget has been deleted in the meantime its callbacks are dropped.
Without a failure callback an error is shown the default way: a plain
message for a :class:`~sijdesk.errors.UserError`, the crash dialog for a bug.

Signals:
    busyChanged(bool): the queue went from idle to busy or back.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

SLOW_MS = 100


class _Emitter(QObject):
    """Lives on the GUI thread; emitted from the worker, so delivery is queued."""

    done = Signal(int, bool, object)


class _Job(QRunnable):
    def __init__(self, job_id: int, label: str, fn: Callable[[], Any], emitter: _Emitter):
        super().__init__()
        self.setAutoDelete(False)  # the Python side owns it until its result is delivered
        self.job_id = job_id
        self.label = label
        self.fn = fn
        self.emitter = emitter

    def run(self) -> None:  # runs on the worker thread
        started = time.perf_counter()
        try:
            value = self.fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            ok, value = False, exc
        else:
            ok = True
        elapsed = (time.perf_counter() - started) * 1000
        if elapsed > SLOW_MS:
            log.debug("operation %s took %.0f ms", self.label, elapsed)
        self.emitter.done.emit(self.job_id, ok, value)


@dataclass
class _Pending:
    job: _Job
    context: QObject | None
    on_success: Callable[[Any], object] | None  # what it returns is ignored
    on_failure: Callable[[BaseException], bool | None] | None


class Operations(QObject):
    """The queue of background database operations of one window."""

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, threads: int = 1):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._closed = False
        # One emitter for every job, living on the GUI thread as long as the queue.
        self._emitter = _Emitter(self)
        self._emitter.done.connect(self._on_done)
        self.default_failure: Callable[[BaseException, QObject | None], None] = _default_failure

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(
        self,
        fn: Callable[[], Any],
        *,
        on_success: Callable[[Any], object] | None = None,
        on_failure: Callable[[BaseException], bool | None] | None = None,
        context: QObject | None = None,
        label: str = "",
    ) -> int:
        """Run ``fn()`` on the worker; call back on the GUI thread.

        ``on_failure`` returns True when it handled the error; otherwise the
        default handling (message or crash dialog) follows.
        """
        if self._closed:
            log.debug("operation %s dropped: window is closing", label)
            return 0
        job_id = next(self._ids)
        job = _Job(job_id, label or getattr(fn, "__name__", "job"), fn, self._emitter)
        was_busy = self.busy
        self._pending[job_id] = _Pending(job, context, on_success, on_failure)
        self._pool.start(job)
        if not was_busy:
            self.busyChanged.emit(True)
        return job_id

    @Slot(int, bool, object)
    def _on_done(self, job_id: int, ok: bool, value: object) -> None:
        pending = self._pending.pop(job_id, None)
        if pending is None:
            return
        try:
            alive = pending.context is None or shiboken6.isValid(pending.context)
            if not alive or self._closed:
                if not ok:
                    log.info("result of a closed view dropped: %r", value)
                return
            if ok:
                if pending.on_success is not None:
                    pending.on_success(value)
                return
            assert isinstance(value, BaseException)
            handled = pending.on_failure(value) if pending.on_failure is not None else False
            if not handled:
                self.default_failure(value, pending.context)
        finally:
            if not self._pending:
                self.busyChanged.emit(False)

    def shutdown(self, timeout_ms: int = 15_000) -> None:
        """Stop taking work, wait for the running job, drop undelivered results."""
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone(timeout_ms)
        self._pending.clear()


def _default_failure(exc: BaseException, context: QObject | None) -> None:
    from sijdesk.ui.errors import report_exception

    widget = context if isinstance(context, QWidget) else None
    report_exception(exc, parent=widget)


def run_now(fn: Callable[[], Any]) -> Any:
    """Run on the calling thread (used where a job must finish before going on)."""
    return fn()
