"""The event log follows the contract's "Who acted" table and agrees with the declarations."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.worldgen.signatures import Frames

NON_OFFICERS = {"SYSTEM", "BANK", "GATE"}


@pytest.fixture(scope="module")
def ev(f: Frames) -> pd.DataFrame:
    """Events joined with their declaration's columns."""
    columns = [
        "declaration_id",
        "declarant_id",
        "officer_id",
        "channel_assigned",
        "channel_final",
        "channel_changed_by",
        "registered_at",
        "assessed_at",
        "paid_at",
        "released_at",
        "inspection_result",
    ]
    return f.events.merge(f.declarations[columns], on="declaration_id", how="left")


def _of(ev: pd.DataFrame, name: str) -> pd.DataFrame:
    return ev[ev["event"] == name]


def test_every_event_belongs_to_a_declaration_and_is_named_in_the_contract(ev: pd.DataFrame) -> None:
    from arusha.contract import EVENT_NAMES

    assert ev["officer_id"].notna().all()
    assert set(ev["event"]) == set(EVENT_NAMES)
    assert not ev.duplicated(["declaration_id", "event", "at"]).any()
    assert not ev.duplicated(["declaration_id", "event"]).any()


def test_lodged_by_the_declarant_registered_by_the_system_paid_at_the_bank_exited_at_the_gate(
    ev: pd.DataFrame, f: Frames
) -> None:
    lodged = _of(ev, "lodged")
    assert len(lodged) == len(f.declarations) and (lodged["actor_id"] == lodged["declarant_id"]).all()
    registered = _of(ev, "registered")
    assert (registered["actor_id"] == "SYSTEM").all() and (
        registered["at"] == registered["registered_at"]
    ).all()
    assert (_of(ev, "paid")["actor_id"] == "BANK").all()
    assert (_of(ev, "exited")["actor_id"] == "GATE").all()


def test_assigned_and_reassigned_name_the_officers(ev: pd.DataFrame, f: Frames) -> None:
    assigned = _of(ev, "assigned")
    assert len(assigned) == len(f.declarations) and not assigned["actor_id"].isin(NON_OFFICERS).any()
    reassigned = _of(ev, "reassigned")
    assert (reassigned["actor_id"] == reassigned["officer_id"]).all()
    moved = set(reassigned["declaration_id"])
    first = assigned.set_index("declaration_id")["actor_id"]
    stayed = assigned[~assigned["declaration_id"].isin(moved)]
    assert (stayed["actor_id"] == stayed["officer_id"]).all()
    assert (first[list(moved)] != reassigned.set_index("declaration_id")["officer_id"][list(moved)]).all()


def test_channel_changes_name_who_changed_them(ev: pd.DataFrame, f: Frames) -> None:
    d = f.declarations
    changed = d["channel_assigned"] != d["channel_final"]
    assert (d["channel_changed_by"].notna() == changed).all()
    events = _of(ev, "channel_changed")
    assert set(events["declaration_id"]) == set(d.loc[changed, "declaration_id"])
    assert (events["actor_id"] == events["channel_changed_by"]).all()
    # A chief's relaxations name him, not the officer the file was assigned to.
    assert (events["actor_id"] != events["officer_id"]).any()


def test_officers_assess_and_release_yellow_and_red_files_the_system_green_and_blue(ev: pd.DataFrame) -> None:
    for name, column in (("assessed", "assessed_at"), ("released", "released_at")):
        events = _of(ev, name)
        automatic = events["channel_final"].isin(["green", "blue"])
        assert (events.loc[automatic, "actor_id"] == "SYSTEM").all()
        assert (events.loc[~automatic, "actor_id"] == events.loc[~automatic, "officer_id"]).all()
        assert (events["at"] == events[column]).all()


def test_inspections_are_logged_by_the_officer_on_yellow_and_red_files_only(ev: pd.DataFrame) -> None:
    for name in ("inspection_started", "inspection_done"):
        events = _of(ev, name)
        assert events["channel_final"].isin(["yellow", "red"]).all()
        assert (events["actor_id"] == events["officer_id"]).all()
        assert (events["inspection_result"] != "none").all()
    started = _of(ev, "inspection_started").set_index("declaration_id")["at"]
    done = _of(ev, "inspection_done").set_index("declaration_id")["at"]
    assert (started.sort_index() <= done.sort_index()).all()


def test_every_timestamp_column_has_its_event_and_the_steps_come_in_order(
    ev: pd.DataFrame, f: Frames
) -> None:
    d = f.declarations
    for name, column in (("assessed", "assessed_at"), ("paid", "paid_at"), ("released", "released_at")):
        assert set(_of(ev, name)["declaration_id"]) == set(d.loc[d[column].notna(), "declaration_id"])
    at = ev.pivot(index="declaration_id", columns="event", values="at")
    sequence = [
        "lodged",
        "registered",
        "assigned",
        "reassigned",
        "channel_changed",
        "inspection_done",
        "assessed",
    ]
    for earlier, later in zip(sequence, sequence[1:], strict=False):
        both = at[earlier].notna() & at[later].notna()
        assert (at.loc[both, earlier] <= at.loc[both, later]).all(), (earlier, later)
    for earlier, later in (("assessed", "released"), ("registered", "released"), ("released", "exited")):
        both = at[earlier].notna() & at[later].notna()
        assert (at.loc[both, earlier] <= at.loc[both, later]).all(), (earlier, later)
    end = pd.Timestamp("2025-01-01")
    assert (ev["at"] < end).all()
