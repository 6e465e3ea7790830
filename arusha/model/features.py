"""Declaration-level features for the risk model, computed in DuckDB from the store.

Why history features, and why only from the past: an inspection outcome is known only after the
inspection, so a feature used to score a declaration registered on day ``d`` may only use outcomes
of declarations registered before ``d − lag`` (``lag_days``, default 0: anything before that day).
Every statistic below is built from *daily* aggregates per key and joined back with an ASOF join
on ``aggregate day < cutoff``, which makes that guarantee structural rather than a convention (a
test checks it: changing any outcome on day ``d`` or later never changes a feature of day ``d``).

High-cardinality categories (importer, declarant, HS6, goods signature …) enter as smoothed past
hit rates and past counts, never as raw codes: a raw importer code would let the model memorise
the training labels of that importer, and would say nothing about a new one.

The goods signature (HS6, origin, net mass) matters: customs data repeat the same goods, and their
past outcome is the strongest evidence there is. The evaluation reports a "novel goods" slice for
that reason (see :mod:`arusha.model.evaluate`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import duckdb
import numpy as np
import pandas as pd


class ModelDataError(ValueError):
    """The store cannot give what the model needs; the message says what and where."""


#: Keys whose past hit rate and past count become features: name -> SQL expressions over ``base``.
HISTORY_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "goods": ("hs6", "origin", "mass_key"),
    "goods_value": ("hs6", "origin", "mass_key", "value_key"),
    "hs6": ("hs6",),
    "hs4": ("hs4",),
    "hs2": ("hs2",),
    "origin": ("origin",),
    "export": ("country_export",),
    "hs6_origin": ("hs6", "origin"),
    "importer": ("importer_id",),
    "declarant": ("declarant_id",),
    "office": ("office_code",),
    "regime": ("regime",),
    "transport": ("transport_mode",),
    "hs6_mass": ("hs6", "mass_bin"),
    "hs4_mass": ("hs4", "mass_bin"),
    "origin_mass": ("origin", "mass_bin"),
    "hs6_value": ("hs6", "value_bin"),
    "mass": ("mass_key",),
    "value": ("value_key",),
}

#: Keys that identify the goods themselves: the "novel goods" model does without them.
GOODS_KEYS: Final = ("goods", "goods_value", "mass", "value")

#: Plain-language names, for explanations and the model card.
FEATURE_LABELS: Final[dict[str, str]] = {
    "goods": "the same goods (HS6, origin, net mass)",
    "goods_value": "the same goods at the same price",
    "hs6": "the HS6 code",
    "hs4": "the HS4 heading",
    "hs2": "the HS chapter",
    "origin": "the country of origin",
    "export": "the country of export",
    "hs6_origin": "the HS6 code from this origin",
    "importer": "the importer",
    "declarant": "the declarant",
    "office": "the office",
    "regime": "the customs procedure",
    "transport": "the transport mode",
    "hs6_mass": "the HS6 code at this weight band",
    "hs4_mass": "the HS4 heading at this weight band",
    "origin_mass": "the origin at this weight band",
    "hs6_value": "the HS6 code at this value band",
    "mass": "the same net mass",
    "value": "the same declared value",
}

NUMERIC_FEATURES: Final[dict[str, str]] = {
    "log_mass": "net mass (log)",
    "log_value": "declared value (log)",
    "log_unit_value": "unit value per kg (log)",
    "unit_value_gap": "unit value against the past HS6 × origin average (log ratio)",
    "duty_rate": "duty rate",
    "n_items": "number of items",
    "importer_volume": "importer's past declarations",
    "declarant_volume": "declarant's past declarations",
}

SMOOTHING: Final = 10.0  # pseudo-count pulling a small group's rate toward the overall rate

#: Label definitions the CLI accepts besides a column name.
DISCREPANCY: Final = "discrepancy"


@dataclass(frozen=True)
class FeatureFrame:
    """Features per declaration, with the label and the revenue target where known."""

    frame: pd.DataFrame  # declaration_id, day, label (float, NaN = unlabelled), revenue, office_code, ...
    columns: list[str]  # feature columns, in model order
    revenue_available: bool


def feature_columns(novel: bool = False) -> list[str]:
    """Return the model's feature names; the novel-goods model leaves the goods keys out."""
    cols: list[str] = []
    for key in HISTORY_KEYS:
        if novel and key in GOODS_KEYS:
            continue
        cols += [f"rate_{key}", f"past_{key}"]
    if not novel:
        cols.append("raw_rate_goods")
    return cols + list(NUMERIC_FEATURES)


def describe(feature: str) -> str:
    """Return a plain-language name for a feature, e.g. for "rate_importer"."""
    if feature.startswith("rate_"):
        return f"past hit rate of {FEATURE_LABELS[feature[5:]]}"
    if feature.startswith("past_"):
        return f"past inspections of {FEATURE_LABELS[feature[5:]]}"
    if feature == "raw_rate_goods":
        return "unsmoothed past hit rate of the same goods"
    return NUMERIC_FEATURES.get(feature, feature)


def _label_sql(con: duckdb.DuckDBPyConnection, label: str) -> tuple[str, str]:
    """Return (label expression, labelled-row condition) for ``label``."""
    columns = {r[0]: r[1] for r in con.execute("DESCRIBE declarations").fetchall()}
    if label == DISCREPANCY:
        if "inspection_result" not in columns:
            raise ModelDataError("declarations has no column inspection_result: nothing to learn from")
        expr = "CASE d.inspection_result WHEN 'discrepancy' THEN 1.0 WHEN 'no_discrepancy' THEN 0.0 END"
        return expr, "d.inspection_result IN ('discrepancy', 'no_discrepancy')"
    if label not in columns:
        raise ModelDataError(
            f"label column {label!r} is not in the declarations table "
            f"(columns: {', '.join(sorted(columns))}); use 'discrepancy' or one of those"
        )
    typ = columns[label].upper()
    col = f'd."{label}"'
    if typ == "BOOLEAN":
        expr = f"CAST({col} AS DOUBLE)"
    elif any(t in typ for t in ("INT", "DOUBLE", "DECIMAL", "FLOAT", "REAL")):
        expr = f"CASE WHEN {col} > 0 THEN 1.0 ELSE 0.0 END"
    else:
        expr = (
            f"CASE WHEN lower(trim({col})) IN ('', '0', 'false', 'no', 'none', 'no_discrepancy') "
            f"THEN 0.0 ELSE 1.0 END"
        )
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE {expr} END", f"{col} IS NOT NULL"


def _require_tables(con: duckdb.DuckDBPyConnection) -> bool:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "declarations" not in tables:
        raise ModelDataError(
            "the store has no declarations table: load clearance data first (arusha data load)"
        )
    return "items" in tables


def _base_sql(has_items: bool, label_expr: str, labelled: str) -> str:
    """One row per declaration: goods of its largest item, label, revenue target, keys."""
    items = (
        """
        SELECT declaration_id,
               arg_max(hs_code, declared_value) AS hs_code,
               arg_max(country_origin, declared_value) AS item_origin,
               sum(net_mass_kg) AS net_mass,
               arg_max(duty_rate, declared_value) AS duty_rate,
               count(*) AS n_items
        FROM items GROUP BY declaration_id
        """
        if has_items
        else """
        SELECT NULL::VARCHAR AS declaration_id, NULL::VARCHAR AS hs_code, NULL::VARCHAR AS item_origin,
               NULL::DOUBLE AS net_mass, NULL::DOUBLE AS duty_rate, NULL::BIGINT AS n_items
        WHERE false
        """
    )
    return f"""
    WITH it AS ({items})
    SELECT d.declaration_id,
           CAST(d.registered_at AS DATE) AS day,
           d.office_code, d.officer_id, d.importer_id, d.declarant_id,
           coalesce(d.regime, '?') AS regime,
           coalesce(d.transport_mode, '?') AS transport_mode,
           coalesce(it.item_origin, d.country_origin, '?') AS origin,
           coalesce(d.country_export, '?') AS country_export,
           coalesce(substr(it.hs_code, 1, 6), '?') AS hs6,
           coalesce(substr(it.hs_code, 1, 4), '?') AS hs4,
           coalesce(substr(it.hs_code, 1, 2), '?') AS hs2,
           it.net_mass,
           d.declared_value AS value,
           it.duty_rate,
           coalesce(it.n_items, 1) AS n_items,
           coalesce(CAST(round(it.net_mass, 3) AS VARCHAR), '?') AS mass_key,
           coalesce(CAST(round(d.declared_value, 2) AS VARCHAR), '?') AS value_key,
           coalesce(CAST(round(2 * ln(1 + it.net_mass)) AS VARCHAR), '?') AS mass_bin,
           coalesce(CAST(round(2 * ln(1 + d.declared_value)) AS VARCHAR), '?') AS value_bin,
           ln(1 + it.net_mass) AS log_mass,
           ln(1 + d.declared_value) AS log_value,
           ln(1 + d.declared_value) - ln(1 + it.net_mass) AS log_unit_value,
           {label_expr} AS label,
           ({labelled}) AS labelled,
           CASE WHEN d.duties_assessed IS NULL THEN NULL
                ELSE greatest(d.duties_assessed - d.duties_declared, 0) END AS revenue
    FROM declarations d LEFT JOIN it USING (declaration_id)
    """


def _history_sql(name: str, keys: tuple[str, ...], cutoff: str) -> str:
    """Past labelled outcomes of the same key, strictly before each row's cutoff day."""
    k = ", ".join(keys)
    on = " AND ".join(f"b.{c} = h.{c}" for c in keys)
    return f"""
    WITH daily AS (
        SELECT {k}, day, sum(label) AS s, count(label) AS n
        FROM base WHERE labelled GROUP BY {k}, day
    ), cum AS (
        SELECT {k}, day, sum(s) OVER w AS s, sum(n) OVER w AS n
        FROM daily WINDOW w AS (PARTITION BY {k} ORDER BY day ROWS UNBOUNDED PRECEDING)
    )
    SELECT b.declaration_id, coalesce(h.s, 0) AS s_{name}, coalesce(h.n, 0) AS n_{name}
    FROM base b ASOF LEFT JOIN cum h ON {on} AND {cutoff} > h.day
    """


def _volume_sql() -> str:
    """Past declarations of the importer and declarant, and the past HS6 × origin unit value."""
    parts = []
    for who in ("importer_id", "declarant_id"):
        parts.append(f"""
        vol_{who} AS (
            WITH daily AS (SELECT {who}, day, count(*) AS v FROM base GROUP BY {who}, day),
            cum AS (SELECT {who}, day, sum(v) OVER (PARTITION BY {who} ORDER BY day
                        ROWS UNBOUNDED PRECEDING) AS v FROM daily)
            SELECT b.declaration_id, coalesce(h.v, 0) AS v
            FROM base b ASOF LEFT JOIN cum h ON b.{who} = h.{who} AND b.day > h.day
        )""")
    parts.append("""
        uv AS (
            WITH daily AS (SELECT hs6, origin, day, sum(log_unit_value) AS s, count(log_unit_value) AS n
                           FROM base GROUP BY hs6, origin, day),
            cum AS (SELECT hs6, origin, day,
                           sum(s) OVER w AS s, sum(n) OVER w AS n FROM daily
                    WINDOW w AS (PARTITION BY hs6, origin ORDER BY day ROWS UNBOUNDED PRECEDING))
            SELECT b.declaration_id, b.log_unit_value - h.s / nullif(h.n, 0) AS gap
            FROM base b ASOF LEFT JOIN cum h ON b.hs6 = h.hs6 AND b.origin = h.origin AND b.day > h.day
        )""")
    return (
        "WITH "
        + ",".join(parts)
        + """
        SELECT b.declaration_id, vi.v AS importer_volume, vd.v AS declarant_volume, uv.gap AS unit_value_gap
        FROM base b
        JOIN vol_importer_id vi USING (declaration_id)
        JOIN vol_declarant_id vd USING (declaration_id)
        JOIN uv USING (declaration_id)
        """
    )


def build_features(
    store: str | duckdb.DuckDBPyConnection,
    *,
    prior: float | None = None,
    label: str = DISCREPANCY,
    lag_days: int = 0,
    freeze_history_at: dt.date | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    prior_until: dt.date | None = None,
    labelled_only: bool = False,
) -> FeatureFrame:
    """Compute the model's features for every declaration of the store (or of a date window).

    Args:
        store: DuckDB store file (opened read-only) or an open connection.
        prior: Overall hit rate that small groups are pulled toward; by default the rate of the
            labelled declarations registered up to ``prior_until`` (all when None).
        label: ``"discrepancy"`` (inspection found a discrepancy) or a declarations column.
        lag_days: Outcomes are known this many days after registration (0: by the next day).
        freeze_history_at: Use no outcome from this day on (scores as if history stopped there).
        date_from, date_to: Keep only declarations registered in this window (history still
            comes from everything before each declaration).
        labelled_only: Return labelled declarations only (training needs no others; at millions
            of declarations this halves the memory).

    Raises:
        ModelDataError: On a store without declarations, or an unknown label column.
    """
    con = duckdb.connect(str(store), read_only=True) if isinstance(store, str) else store
    owns = isinstance(store, str)
    try:
        has_items = _require_tables(con)
        label_expr, labelled = _label_sql(con, label)
        con.execute(f"CREATE OR REPLACE TEMP TABLE base AS {_base_sql(has_items, label_expr, labelled)}")
        cutoff = f"(b.day - INTERVAL {int(lag_days)} DAY)"
        if freeze_history_at is not None:
            cutoff = f"least({cutoff}, DATE '{freeze_history_at.isoformat()}')"
        for name, keys in HISTORY_KEYS.items():
            con.execute(f"CREATE OR REPLACE TEMP TABLE h_{name} AS {_history_sql(name, keys, cutoff)}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE vol AS {_volume_sql()}")
        history = ", ".join(f"h_{n}.s_{n}, h_{n}.n_{n}" for n in HISTORY_KEYS)
        joins = " ".join(f"LEFT JOIN h_{n} USING (declaration_id)" for n in HISTORY_KEYS)
        frame = con.execute(
            f"""SELECT b.declaration_id, b.day, b.office_code, b.officer_id, b.importer_id, b.declarant_id,
                       b.hs6, b.origin, b.net_mass, b.value, b.label, b.revenue, b.log_mass, b.log_value,
                       b.log_unit_value, b.duty_rate, CAST(b.n_items AS DOUBLE) AS n_items,
                       {history}, vol.importer_volume, vol.declarant_volume, vol.unit_value_gap
                FROM base b {joins} LEFT JOIN vol USING (declaration_id)
                {"WHERE b.labelled" if labelled_only else ""}"""
        ).df()
        revenue_available = bool(con.execute("SELECT count(revenue) FROM base WHERE labelled").fetchone()[0])  # type: ignore[index]
        for table in ["base", "vol", *(f"h_{n}" for n in HISTORY_KEYS)]:
            con.execute(f"DROP TABLE {table}")
    finally:
        if owns:
            con.close()
    if prior is None:
        labelled_rows = frame["label"].notna()
        if prior_until is not None:
            labelled_rows &= pd.to_datetime(frame["day"]).dt.date <= prior_until
        prior = float(frame.loc[labelled_rows, "label"].mean()) if labelled_rows.any() else 0.5
    for name in HISTORY_KEYS:
        s, n = frame.pop(f"s_{name}").astype(float), frame.pop(f"n_{name}").astype(float)
        frame[f"rate_{name}"] = (s + SMOOTHING * prior) / (n + SMOOTHING)
        frame[f"past_{name}"] = n
        if name == "goods":
            frame["raw_rate_goods"] = np.where(n > 0, s / np.maximum(n, 1.0), np.nan)
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    if date_from is not None:
        frame = frame[frame["day"] >= date_from]
    if date_to is not None:
        frame = frame[frame["day"] <= date_to]
    frame = frame.sort_values(["day", "declaration_id"], kind="stable").reset_index(drop=True)
    return FeatureFrame(frame, feature_columns(), revenue_available)
