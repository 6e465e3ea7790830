from __future__ import annotations

import csv

import pyarrow.parquet as pq

from arusha_web.core.demo import demo_setup
from arusha_web.core.demo_data import demo_clearance
from arusha_web.org.models import StaffRecord


def test_demo_clearance_data_is_generated_loaded_analysed_once(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    demo_setup(password="demo")
    messages: list[str] = []
    paths = demo_clearance(declarations=3000, progress=messages.append)

    with open(paths["analysis"] / "signals.csv", newline="") as fh:
        leads = list(csv.DictReader(fh))
    assert leads, "the planted anomalies should give leads"
    officers = set(
        pq.read_table(paths["data"] / "declarations.parquet", columns=["officer_id"])[
            "officer_id"
        ].to_pylist()
    )
    assert officers <= set(StaffRecord.objects.values_list("officer_id", flat=True))

    staff = StaffRecord.objects.count()
    again: list[str] = []
    demo_clearance(declarations=3000, progress=again.append)
    assert any("nothing added" in m for m in again)
    assert not any("Computing" in m for m in again)
    assert StaffRecord.objects.count() == staff
