"""A minimal Streamlit client speaking the app's own WebSocket protocol (no browser), for load measurements.

It does what the Streamlit frontend does when someone opens a link: connect to ``/_stcore/stream`` (subprotocol
``streamlit``), send one ``rerun_script`` BackMsg with the page name and query string of the URL, then read
ForwardMsgs until ``script_finished``. The server runs the page script exactly as for a browser, so this
measures the server side of "thirty people open the same link" without thirty browsers competing for the same
two cores. Not measured: drawing in the browser (charts, maps) — benchmarks/pages.py and national_map.py do
that in Chromium.

``open_page()`` returns a :class:`Visit` with the time to connect, the time until the script finished, the
bytes received, the elements the run produced (for content checks) and any error: an exception element, an
``st.error`` alert, a page-not-found, a failed connection or a timeout. Loopback use only.
"""
from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass, field

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED_OK = {ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
               ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Visit:
    url: str
    connect_s: float = float("nan")
    settle_s: float = float("nan")        # from opening the connection to script_finished
    bytes_received: int = 0
    messages: int = 0
    largest_message: int = 0
    element_bytes: dict[str, int] = field(default_factory=dict)  # element type -> bytes of its messages
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown, headings and alert bodies, in order

    @property
    def ok(self) -> bool:
        return not self.errors and self.settle_s == self.settle_s


def split_url(base_url: str, route: str) -> tuple[str, str, str]:
    """(ws url, page name, query string) for a route like ``kaart?weergave=Nederland``."""
    path, _, query = route.partition("?")
    parts = urllib.parse.urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}/_stcore/stream", path.strip("/"), query


def open_page(base_url: str, route: str = "", timeout: float = 120.0, cookie: str | None = None,
              keep_texts: bool = True, ssl_context=None) -> Visit:
    """One new session: connect, run the page of ``route`` once, disconnect. ``ssl_context``: for an https
    base URL whose certificate the default trust store does not know (the loopback proxy's self-signed one)."""
    from websockets.sync.client import connect

    ws_url, page_name, query = split_url(base_url, route)
    visit = Visit(url=f"{base_url}/{route}")
    t0 = time.perf_counter()
    deadline = t0 + timeout
    headers = {"Cookie": cookie} if cookie else None
    try:
        tls = {"ssl": ssl_context} if ssl_context is not None and ws_url.startswith("wss:") else {}
        with connect(ws_url, subprotocols=["streamlit"], additional_headers=headers, max_size=None,
                     open_timeout=min(30.0, timeout), close_timeout=2, compression=None, **tls) as ws:
            visit.connect_s = time.perf_counter() - t0
            msg = BackMsg()
            msg.rerun_script.query_string = query
            msg.rerun_script.page_name = page_name
            ws.send(msg.SerializeToString())
            while True:
                left = deadline - time.perf_counter()
                if left <= 0:
                    visit.errors.append(f"timeout after {timeout:.0f} s")
                    break
                data = ws.recv(timeout=left)
                if isinstance(data, str):
                    visit.errors.append("unexpected text frame")
                    break
                visit.bytes_received += len(data)
                visit.messages += 1
                visit.largest_message = max(visit.largest_message, len(data))
                fm = ForwardMsg()
                fm.ParseFromString(data)
                kind = fm.WhichOneof("type")
                if kind == "delta":
                    _delta(fm, len(data), visit, keep_texts)
                elif kind == "page_not_found":
                    visit.errors.append(f"page not found: {fm.page_not_found.page_name!r}")
                elif kind == "script_finished":
                    if fm.script_finished in FINISHED_OK:
                        visit.settle_s = time.perf_counter() - t0
                        break
                    if fm.script_finished == ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR:
                        visit.errors.append("compile error")
                        break
                    # FINISHED_EARLY_FOR_RERUN: the script asked for a rerun (st.rerun); keep reading
    except TimeoutError:
        visit.errors.append(f"timeout after {timeout:.0f} s")
    except Exception as exc:  # noqa: BLE001 - every failure of a visit is an error to count
        visit.errors.append(f"{type(exc).__name__}: {exc}")
    return visit


def _delta(fm: ForwardMsg, size: int, visit: Visit, keep_texts: bool) -> None:
    d = fm.delta
    if d.WhichOneof("type") != "new_element":
        return
    el = d.new_element
    kind = el.WhichOneof("type") or "?"
    visit.element_bytes[kind] = visit.element_bytes.get(kind, 0) + size
    if kind == "exception":
        visit.errors.append(f"exception: {el.exception.type}: {el.exception.message[:200]}")
    elif kind == "alert":
        if el.alert.format == Alert.ERROR:
            visit.errors.append(f"st.error: {el.alert.body[:200]}")
        if keep_texts:
            visit.texts.append(el.alert.body)
    elif keep_texts and kind == "markdown":
        visit.texts.append(el.markdown.body)
    elif keep_texts and kind == "heading":
        visit.texts.append(el.heading.body)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100) of a non-empty list."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = max(0, min(len(xs) - 1, int(round(p / 100 * len(xs) + 0.5)) - 1))
    return xs[k]
