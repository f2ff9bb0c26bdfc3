"""What the Data page shows about the CBS refresh job (running or last one): a pure model, no Streamlit."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from loaders.jobs import Job
from metrics import fmt

LOCAL = zoneinfo.ZoneInfo("Europe/Amsterdam")

STATE_LABEL = {"wachtrij": "wacht op start", "bezig": "bezig", "klaar": "klaar", "mislukt": "mislukt",
               "afgebroken": "afgebroken"}


def when(t: dt.datetime) -> str:
    """'1 december 2026 om 21:05', Dutch local time."""
    local = t.astimezone(LOCAL)
    return f"{fmt.date(local)} om {local:%H:%M}"


def busy_message(job: Job | None) -> str:
    """The refusal when a refresh is already active (page and command line)."""
    if job is None:
        return "Er liep net nog een verversing; probeer het zo opnieuw."
    return (f"Er loopt al een verversing, gestart door {job.started_by} op {when(job.created_at)}. "
            "Wacht tot die klaar is; de voortgang staat op de pagina Data en methode (Bijwerken).")


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    return f"{s // 60} min {s % 60:02d} s"


@dataclass(frozen=True)
class RefreshJobModel:
    job_id: int | None
    running: bool  # wachtrij or bezig: the page keeps following it and the start button is off
    tone: str  # info | success | error | warning | none
    headline: str
    detail: str
    fraction: float | None  # progress bar 0..1 while running
    progress_text: str


NONE = RefreshJobModel(None, False, "none", "Er is hier nog geen verversing bij CBS gestart.", "", None, "")


def refresh_job_model(job: Job | None, now: dt.datetime) -> RefreshJobModel:
    if job is None:
        return NONE
    who = f"Gestart door {job.started_by} op {when(job.created_at)}."
    if job.active:
        frac = min(1.0, job.progress_step / job.progress_total) if job.progress_total else 0.0
        if job.state == "wachtrij":
            text = "De verwerking start…"
        else:
            text = job.progress_message or "Verbinden met CBS…"
        since = _duration((now - (job.started_at or job.created_at)).total_seconds())
        return RefreshJobModel(job.id, True, "info", f"Verversing bij CBS {STATE_LABEL[job.state]} (loopt {since}).",
                               who + " U kunt de pagina verlaten of herladen; de verversing loopt door.", frac, text)
    ended = f" Geëindigd op {when(job.finished_at)}." if job.finished_at else ""
    if job.state == "klaar":
        return RefreshJobModel(job.id, False, "success", "Laatste verversing bij CBS: klaar.",
                               who + ended + (f" {job.result_message}" if job.result_message else ""), None, "")
    tone = "error" if job.state == "mislukt" else "warning"
    return RefreshJobModel(job.id, False, tone, f"Laatste verversing bij CBS: {STATE_LABEL[job.state]}.",
                           who + ended + " " + (job.error_message or "Er is niets gewijzigd in de database."),
                           None, "")
