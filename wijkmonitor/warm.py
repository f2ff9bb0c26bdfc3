"""Warm a replica after a (re)start: open the pages whose first visit loads the caches.

Each replica loads the metric store (on ``/``) and the national geometries (on ``/kaart?weergave=Nederland``)
on its first visit; the first visitor would wait for that. :func:`warm` opens both routes as a browser would —
a session over Streamlit's WebSocket (``/_stcore/stream``, one ``rerun_script`` message with the page and query
string) read until the script has finished — and reports an exception or ``st.error`` on the page as a failure.
"""
from __future__ import annotations

import time
import urllib.parse

ROUTES = ("", "kaart?weergave=Nederland")


def open_route(base_url: str, route: str, timeout: float = 180.0) -> str | None:
    """Run one page in a new session; None when it finished without an error, else the reason (Dutch)."""
    from streamlit.proto.Alert_pb2 import Alert
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    path, _, query = route.partition("?")
    parts = urllib.parse.urlsplit(base_url)
    ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}/_stcore/stream"
    deadline = time.monotonic() + timeout
    ok = {ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
          ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
    try:
        # proxy=None: the replica is local, whatever HTTPS_PROXY the environment file sets for the CBS refresh
        with connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30, close_timeout=2,
                     proxy=None) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = query
            msg.rerun_script.page_name = path.strip("/")
            ws.send(msg.SerializeToString())
            while True:
                data = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                fm = ForwardMsg()
                fm.ParseFromString(data if isinstance(data, bytes) else data.encode())
                kind = fm.WhichOneof("type")
                if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                    el = fm.delta.new_element
                    if el.WhichOneof("type") == "exception":
                        return f"fout op de pagina: {el.exception.message[:200]}"
                    if el.WhichOneof("type") == "alert" and el.alert.format == Alert.ERROR:
                        return f"foutmelding op de pagina: {el.alert.body[:200]}"
                elif kind == "page_not_found":
                    return "pagina niet gevonden"
                elif kind == "script_finished":
                    if fm.script_finished in ok:
                        return None
                    if fm.script_finished == ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR:
                        return "de pagina kon niet worden uitgevoerd"
    except TimeoutError:
        return f"geen antwoord binnen {timeout:.0f} s"
    except Exception as exc:  # noqa: BLE001 - connection refused, handshake failed, …
        return f"niet bereikbaar ({type(exc).__name__})"
