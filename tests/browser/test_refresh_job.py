"""The Data page follows a running refresh job by itself (st.fragment(run_every=…)) in Chromium: an editor sees
the job another editor started, with its progress, and — without reloading — the finished job once the worker
(a detached process, replaying the recorded CBS responses from a local server) is done."""
from __future__ import annotations

import re

import pytest

from tests.test_jobs import REC, TABLE, GatedCbs, editor, ended, helpers, wait_for
from wijkmonitor import jobs

from .axe import axe_source, blocking, run_axe
from .editors import editor_server, editors_file, settle, sign_in

pytestmark = pytest.mark.browser


class _SqliteOnly:
    param = "sqlite"


@pytest.fixture
def cbs(monkeypatch, tmp_path):
    srv = GatedCbs(root=REC / "v3", page_size=10_000, fallback=(REC / "v4", helpers.ODATA)).start()
    eps = srv.endpoints()
    env = {"WIJKMONITOR_CBS_ODATA3_URL": eps["CBS"], "WIJKMONITOR_CBS_DATADERDEN_URL": eps["RIVM"],
           "WIJKMONITOR_CBS_ODATA4_URL": eps["ODATA4"], "WIJKMONITOR_REFRESH_CACHE": str(tmp_path / "cbs-cache")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    yield srv
    srv.gate.set()
    srv.stop()


def test_data_page_follows_the_job_without_reloading(request, browser, cbs, tmp_path, output_dir):
    _SqliteOnly.getfixturevalue = request.getfixturevalue
    db = helpers.copy_db(_SqliteOnly, tmp_path)
    shots = output_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    # the app inherits the mirror settings from this process's environment (set by the cbs fixture)
    with editor_server(db, editors_file(tmp_path), browser, output_dir / "logs" / "streamlit-refresh-job.log") as s:
        ctx = browser.new_context(viewport={"width": 1280, "height": 1200}, locale="nl-NL")
        page = ctx.new_page()
        try:
            page.goto(s.base_url + "/data?onderdeel=Bijwerken")
            settle(page)
            sign_in(page)
            settle(page)
            page.wait_for_selector("text=Er is hier nog geen verversing bij CBS gestart.")
            cbs.gate.clear()
            res = jobs.start_refresh(db, editor("anna"), tables=[TABLE])  # another editor, another replica
            wait_for(db, res.job.id, lambda j: j.state == "bezig" and j.progress_message)
            page.reload()  # a new session: sign in again (the job is shown to editors only)
            settle(page)
            sign_in(page)
            settle(page)
            page.wait_for_selector("text=Verversing bij CBS bezig", timeout=60_000)
            assert page.get_by_text(re.compile("Gestart door anna op ")).count() >= 1
            assert page.get_by_role("button", name="Cijfers verversen bij CBS").is_disabled()
            page.screenshot(path=str(shots / "data-refresh-job-running.png"), full_page=True)
            axe = axe_source()
            bad = blocking(run_axe(page, axe))  # WCAG 2.1 AA: the status box and the progress bar
            assert not bad, [v.describe("verversing bezig") for v in bad]
            cbs.gate.set()
            done = wait_for(db, res.job.id, ended)
            assert done.state == "klaar"
            # no reload: the fragment polls the job row and reruns the page when the job has ended
            page.wait_for_selector("text=Laatste verversing bij CBS: klaar.", timeout=60_000)
            settle(page)
            assert page.get_by_role("button", name="Cijfers verversen bij CBS").is_enabled()
            page.screenshot(path=str(shots / "data-refresh-job-done.png"), full_page=True)
            bad = blocking(run_axe(page, axe))
            assert not bad, [v.describe("verversing klaar") for v in bad]
        finally:
            ctx.close()
