"""Access matrix rows for the Measure module (collected by core/tests/test_access_matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from arusha_web.testing import ADM, ANA, AUD, INT, MGR, STF, Row

EXPECTED: dict[str, set[str]] = {
    "measure.view": {ADM, INT, ANA, MGR, AUD},
    "measure.data": {ADM, INT, ANA},
    "measure.publish": {INT, ANA},
    "measure.leads": {INT, ANA, MGR},
    "measure.contracts.manage": {INT, MGR},
    "measure.traders": {ADM, INT, ANA, AUD},
    "measure.scorecard.own": {STF},
    "measure.configure": {ADM, INT},
}


def make_objects(personas: dict[str, Any]) -> dict[str, Any]:
    """A dataset, an import and an analysis with one office (PORT1), one officer and one lead."""
    from arusha_web.measure.models import (
        AnalysisRun,
        Contract,
        ContractTarget,
        ContractVersion,
        Dataset,
        ImportRun,
        IndicatorValue,
        Lead,
        Publication,
        RunStatus,
    )

    dataset = Dataset.objects.create(name="Matrix data", store_path="/nonexistent/store.duckdb")
    import tempfile

    errors = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)  # noqa: SIM115
    errors.write("file,row,column,rule,value,message\n")
    errors.close()
    imp = ImportRun.objects.create(dataset=dataset, status=RunStatus.REJECTED, errors_csv=errors.name)
    run = AnalysisRun.objects.create(dataset=dataset, out_dir="/nonexistent", status=RunStatus.DONE)
    Publication.objects.create(run=run)
    for entity_type, entity_id in (
        ("office", "PORT1"),
        ("officer", "O-PORT1-01"),
        ("administration", "ALL"),
        ("declarant", "D-1"),
    ):
        for period in ("2024-01", "all"):
            IndicatorValue.objects.create(
                run=run,
                entity_type=entity_type,
                entity_id=entity_id,
                office_code="PORT1" if entity_type in ("office", "officer") else "",
                period=period,
                indicator="VOL_DECL",
                value=10,
                n=10,
            )
    # A scorecard indicator (VOL_DECL is context, not charted on a scorecard).
    IndicatorValue.objects.create(
        run=run,
        entity_type="officer",
        entity_id="O-PORT1-01",
        office_code="PORT1",
        period="2024-01",
        indicator="TF1",
        value=0.5,
        n=10,
    )
    lead = Lead.objects.create(
        run=run,
        rank=1,
        entity_type="officer",
        entity_id="O-PORT1-01",
        office_code="PORT1",
        score=5,
        kind="k",
        explanation="e",
    )
    contract = Contract.objects.create(
        subject_type="officer", subject_id="O-PORT1-01", office_code="PORT1", run=run
    )
    version = ContractVersion.objects.create(
        contract=contract,
        number=1,
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 6, 30),
        signatories="DG",
    )
    ContractTarget.objects.create(
        version=version, indicator="VOL_DECL", baseline=1, target=1, direction="context"
    )
    from arusha_web.measure.models import DataFolder

    folder = DataFolder.objects.create(dataset=dataset, path="/nonexistent/share")
    return {
        "m_dataset": dataset,
        "m_import": imp,
        "m_run": run,
        "m_lead": lead,
        "m_contract": contract,
        "m_folder": folder,
    }


def _ds(o: dict[str, Any]) -> list[Any]:
    return [o["m_dataset"].pk]


def _lead(o: dict[str, Any]) -> list[Any]:
    return [o["m_lead"].pk]


def _contract(o: dict[str, Any]) -> list[Any]:
    return [o["m_contract"].pk]


URLS: dict[str, Row | list[Row]] = {
    "measure:index": Row("section.measure"),
    "measure:datasets": Row("measure.data"),
    "measure:dataset": Row("measure.data", args=_ds),
    "measure:import_start": Row("measure.data", method="post", args=_ds, data={}),
    "measure:analysis_start": Row("measure.data", method="post", args=_ds, data={"period": "month"}),
    "measure:quarantine": Row("measure.data", args=_ds),
    "measure:import": Row("measure.data", args=lambda o: [o["m_import"].pk]),
    "measure:import_errors": Row("measure.data", args=lambda o: [o["m_import"].pk]),
    "measure:analysis": Row("measure.data", args=lambda o: [o["m_run"].pk]),
    # GET: the confirmation page (the matrix's run is already official, so nothing to publish).
    "measure:analysis_publish": Row("measure.publish", args=lambda o: [o["m_run"].pk]),
    # The matrix runs have no job: allowed roles are told so (redirect), others refused.
    "measure:import_retry": Row("measure.data", method="post", args=lambda o: [o["m_import"].pk]),
    "measure:analysis_retry": Row("measure.data", method="post", args=lambda o: [o["m_run"].pk]),
    # No roots configured in the matrix: allowed roles are told so (the page again, or a redirect).
    "measure:folder_register": Row("measure.data", method="post", args=_ds, data={"path": "/x"}),
    "measure:folder": Row("measure.data", args=lambda o: [o["m_folder"].pk]),
    "measure:folder_scan": Row("measure.data", method="post", args=lambda o: [o["m_folder"].pk]),
    "measure:folder_load": Row("measure.data", method="post", args=lambda o: [o["m_folder"].pk]),
    # One finished run in the matrix: the page says two are needed.
    "measure:compare": Row("measure.view"),
    "measure:leads": Row("measure.leads"),
    "measure:lead": Row("measure.leads", args=_lead),
    "measure:lead_update": Row("measure.leads", method="post", args=_lead, data={"status": "review"}),
    "measure:lead_comment": Row("measure.leads", method="post", args=_lead, data={"text": "matrix"}),
    "measure:lead_refer": Row("measure.leads", method="post", args=_lead, data={"note": ""}),
    "measure:administration": Row("measure.view"),
    "measure:office": Row("measure.view", args=lambda o: ["PORT1"]),
    # Staff reach the route (own scorecard) but this officer is not theirs: 404.
    "measure:officer": Row("measure.view", args=lambda o: ["O-PORT1-01"]),
    "measure:officer_pdf": Row("measure.view", args=lambda o: ["O-PORT1-01"]),
    "measure:officer_chart": Row("measure.view", args=lambda o: ["O-PORT1-01", "TF1"]),
    "measure:antigaming": Row("measure.view"),
    # The matrix run has no risk-model outputs: the page explains why, for those who may see it.
    "measure:targeting": Row("measure.view"),
    "measure:antigaming_thresholds": [
        Row("measure.configure"),
        Row("measure.configure", method="post", data={"assessment_gain_points": "-1"}),
    ],
    # The matrix run has no trader_risk.csv: the page says so, to those who may see it.
    "measure:trader_risk": Row("measure.traders"),
    "measure:trader": Row("measure.traders", args=lambda o: ["declarant", "D-1"]),
    "measure:trader_chart": Row("measure.traders", args=lambda o: ["declarant", "D-1", "TF5"]),
    "measure:declarations": Row("measure.view", data={"by": "officer_id", "id": "O-PORT1-01"}),
    "measure:contracts": Row("section.measure"),
    "measure:contract_create": Row("measure.contracts.manage"),
    "measure:contract": Row("measure.view", args=_contract),
    "measure:contract_action": Row(
        "measure.contracts.manage", method="post", args=_contract, data={"action": "x"}
    ),
    "measure:contract_pdf": Row("measure.view", args=_contract),
}
