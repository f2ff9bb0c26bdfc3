"""Readers, one per source format. Each returns plain DataFrames and raises LoadError on bad input.

StatLine conventions handled here:
- numbers may be stored as padded text (``'    67.9'``);
- ``.`` means "geheim / niet beschikbaar" (suppressed), an empty cell means "ontbreekt";
- map attributes (Wijk- en buurtkaart) use large negative sentinels (``-99999999``, ``-99999997``)
  for suppressed values. Only a file whose format defines such codes (``sentinels``, e.g.
  :data:`KAART_SENTINELS` for the Wijk- en buurtkaart) has them read as suppressed; any other value at or below
  -99999990 (e.g. ``-99999999999``) is an error naming file, row and column, never a silent 'geheim'.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import LoadError

SENTINEL_LIMIT = -99999990
KAART_SENTINELS = (-99999999.0, -99999997.0)  # Wijk- en buurtkaart attributes: suppressed / not applicable
SUPPRESSED = "geheim"
MISSING = "ontbreekt"
OK = "ok"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _decode(path: Path, raw: bytes) -> str:
    if not raw.strip():
        raise LoadError(str(path), "het bestand is leeg")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise LoadError(str(path), "het bestand is geen tekstbestand (binaire inhoud of UTF-16)",
                        row=raw[:nul].count(b"\n") + 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(str(path), f"het bestand is geen geldige UTF-8-tekst (byte {exc.start})", row=line) from exc


def read_text_table(path: Path | str, data: bytes | None = None, required: list[str] | None = None) -> pd.DataFrame:
    """Read a delimited text table as strings (nothing converted yet).

    Detects ``,`` / ``;`` / tab delimiters. Row numbers in errors count the header as row 1.
    """
    path = Path(path)
    raw = data if data is not None else path.read_bytes()
    text = _decode(path, raw)
    first = text.splitlines()[0] if text.splitlines() else ""
    delim = max([",", ";", "\t"], key=first.count)
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delim, strict=True)
        rows = list(reader)
    except csv.Error as exc:
        raise LoadError(str(path), f"het bestand is geen geldige CSV ({exc})") from exc
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise LoadError(str(path), "het bestand is leeg")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise LoadError(str(path), f"kolomnaam komt dubbel voor: {', '.join(dup)}", row=1)
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise LoadError(str(path), f"{len(r)} velden in plaats van {len(header)} (verkeerd scheidingsteken of afgebroken regel?)", row=i)
    if len(rows) < 2:
        raise LoadError(str(path), "het bestand bevat alleen een kopregel, geen gegevens")
    df = pd.DataFrame(rows[1:], columns=header, dtype=object)
    if required:
        missing = [c for c in required if c not in df.columns]
        if missing:
            raise LoadError(str(path), f"verplichte kolom ontbreekt: {', '.join(missing)}", row=1, column=missing[0])
    return df


_STATUS_BY_KIND = np.array([OK, MISSING, SUPPRESSED], dtype=object)  # index: 0 number, 1 empty, 2 '.'
# Every spelling of the empty markers 'nan' and 'none' (the check is case-insensitive): an exact set lookup.
_EMPTY_WORDS = pa.array(sorted({"".join(c.upper() if (bits >> i) & 1 else c for i, c in enumerate(w))
                                for w in ("nan", "none") for bits in range(1 << len(w))}))


def _statline_text_fast(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Vectorised StatLine text parse (pyarrow compute): (values, is_dot, is_empty), or None when any cell is
    not plainly a number, a '.', empty or 'nan'/'none' — the caller then takes the exact pandas path, which
    also names the offending cell. Only ASCII whitespace is trimmed here: a cell with other (Unicode)
    whitespace around it is not a plain number, so it falls back and is treated exactly as before."""
    arr = pa.chunked_array(pa.array(s.astype("string").array)) if len(s) else None
    if arr is None or arr.num_chunks == 0:
        return None
    txt = pc.fill_null(pc.ascii_trim_whitespace(arr), "")
    is_dot = pc.equal(txt, ".")
    is_empty = pc.or_(pc.equal(txt, ""), pc.is_in(txt, value_set=_EMPTY_WORDS))
    masked = pc.if_else(pc.or_(is_dot, is_empty), pa.scalar(None, txt.type), txt)
    try:
        num = pc.cast(masked, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    vals = num.to_numpy(zero_copy_only=False)
    dot = is_dot.to_numpy(zero_copy_only=False)
    empty = is_empty.to_numpy(zero_copy_only=False)
    if np.isnan(vals[~(dot | empty)]).any():  # e.g. '-nan': pandas rejects it, so take the pandas path
        return None
    if np.signbit(vals[vals == 0]).any():  # '-0' / '-0.0': pandas' sign depends on the column; take its path
        return None
    return vals, dot, empty


def to_numeric_statline(df: pd.DataFrame, column: str, file: str, row_offset: int = 2,
                        sentinels: tuple[float, ...] = ()) -> tuple[pd.Series, pd.Series]:
    """Convert one StatLine column to floats and a status per cell.

    Returns (values, status) where status is 'ok', 'geheim' ('.' or one of the file's own ``sentinels``) or
    'ontbreekt' (empty). Text that is not a number, and a sentinel-like value (<= -99999990) the file does not
    define, raise LoadError naming the row and column.
    """
    s = df[column]
    if s.dtype.kind in "fi":
        vals = s.astype(float)
        status = pd.Series(np.where(vals.isna(), MISSING, OK), index=s.index, dtype=object)
    else:
        fast = _statline_text_fast(s)
        if fast is not None:
            arr, is_dot, is_empty = fast
            vals = pd.Series(arr, index=s.index, dtype=float, name=s.name)
        else:
            txt = s.astype("string").str.strip().fillna("")
            is_dot = txt.eq(".").to_numpy(dtype=bool)
            is_empty = (txt.eq("") | txt.str.lower().isin(["nan", "none"])).to_numpy(dtype=bool)
            vals = pd.to_numeric(txt.where(~(is_dot | is_empty)), errors="coerce")
            bad = vals.isna().to_numpy(dtype=bool) & ~is_dot & ~is_empty
            if bad.any():
                pos = int(np.flatnonzero(bad)[0])
                raise LoadError(file, f"waarde '{txt.iloc[pos]}' is geen getal", row=pos + row_offset, column=column)
            vals = vals.astype(float)
        kind = is_empty.astype(np.int8) + 2 * is_dot.astype(np.int8)  # the two are exclusive
        status = pd.Series(_STATUS_BY_KIND[kind], index=s.index, dtype=object)
    low = (vals <= SENTINEL_LIMIT).to_numpy(dtype=bool)
    if low.any():
        defined = vals.isin(list(sentinels)).to_numpy(dtype=bool) if sentinels else np.zeros(len(vals), dtype=bool)
        undefined = low & ~defined
        if undefined.any():
            pos = int(np.flatnonzero(undefined)[0])
            raise LoadError(file, f"waarde {vals.iloc[pos]:.15g} is geen cijfer en geen teken voor 'geheim' dat dit "
                            "bestand kent (alleen '.' betekent geheim)", row=pos + row_offset, column=column)
        sentinel = pd.Series(defined, index=vals.index)
        vals = vals.mask(sentinel)
        status = status.mask(sentinel, SUPPRESSED)
    return vals, status


def read_parquet(path: Path | str) -> pd.DataFrame:
    path = Path(path)
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types
        raise LoadError(str(path), f"het Parquet-bestand kan niet worden gelezen ({type(exc).__name__})") from exc


def read_json(path: Path | str) -> object:
    path = Path(path)
    text = _decode(path, path.read_bytes())
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(str(path), f"ongeldige JSON ({exc.msg})", row=exc.lineno) from exc


def read_geojson(path: Path | str) -> list[dict]:
    """Features of a GeoJSON FeatureCollection: [{'properties':…, 'geometry':…}, …]."""
    data = read_json(path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise LoadError(str(path), "geen GeoJSON FeatureCollection")
    feats = data.get("features") or []
    for i, f in enumerate(feats):
        if not isinstance(f, dict) or "geometry" not in f or "statcode" not in (f.get("properties") or {}):
            raise LoadError(str(path), "feature zonder geometrie of statcode", row=i + 1, column="statcode")
    return feats


def _decode_arcs(topo: dict) -> list[list[list[float]]]:
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if tr:
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append([x * tr["scale"][0] + tr["translate"][0], y * tr["scale"][1] + tr["translate"][1]])
        else:
            pts = [list(p[:2]) for p in arc]
        arcs.append(pts)
    return arcs


def _ring(arcs, idxs):
    pts: list[list[float]] = []
    for i in idxs:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts  # the points are the arcs' own [x, y] lists, shared between rings: read them, never change them


def read_topojson(path: Path | str, object_name: str = "layer") -> list[dict]:
    """Decode a TopoJSON object into GeoJSON-like features (Polygon/MultiPolygon/Point)."""
    topo = read_json(path)
    if not isinstance(topo, dict) or topo.get("type") != "Topology" or object_name not in topo.get("objects", {}):
        raise LoadError(str(path), f"geen TopoJSON met object '{object_name}'")
    arcs = _decode_arcs(topo)
    tr = topo.get("transform")
    feats = []
    for i, g in enumerate(topo["objects"][object_name]["geometries"]):
        t = g.get("type")
        if t == "Polygon":
            geom = {"type": "Polygon", "coordinates": [_ring(arcs, r) for r in g["arcs"]]}
        elif t == "MultiPolygon":
            geom = {"type": "MultiPolygon", "coordinates": [[_ring(arcs, r) for r in p] for p in g["arcs"]]}
        elif t == "Point":
            x, y = g["coordinates"]
            if tr:
                x, y = x * tr["scale"][0] + tr["translate"][0], y * tr["scale"][1] + tr["translate"][1]
            geom = {"type": "Point", "coordinates": [x, y]}
        elif t is None:
            continue  # empty geometry
        else:
            raise LoadError(str(path), f"onbekend geometrietype {t}", row=i + 1)
        feats.append({"properties": g.get("properties") or {}, "geometry": geom})
    return feats


def read_upload(data: bytes, file_name: str, text_names: tuple[str, ...] = ()) -> pd.DataFrame:
    """An editor's upload as strings: Excel (.xlsx/.xlsm, first sheet, headers stripped) or delimited text
    (.csv/.txt, or one of ``text_names``); anything else is refused. Values are checked by the caller."""
    name = file_name.lower()
    if name.endswith((".xlsx", ".xlsm")):
        try:
            df = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl").fillna("")
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types
            raise LoadError(file_name, f"het Excel-bestand kan niet worden gelezen ({type(exc).__name__})") from exc
        df.columns = [str(c).strip() for c in df.columns]
        return df
    if name.endswith((".csv", ".txt")) or name in text_names:
        return read_text_table(file_name, data=data)
    raise LoadError(file_name, "alleen .csv- of .xlsx-bestanden")
