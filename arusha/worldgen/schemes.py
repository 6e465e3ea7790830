"""Integrity schemes: what corrupt officers (and one kind of broker) do, planted among honest behaviour.

Each scheme has one culprit (an officer, an officer × trader pair, or a broker), a window of 2–8
consecutive calendar months and a strength. Outside its window the culprit behaves like everyone
else; inside it, the culprit deviates on a share of the files that come his way, as the
administration's own records would show it (a channel relaxed by him, an inspection with nothing
found, a release signed at night). Culprits sit among ordinary and confounded entities alike: some
at the round-the-clock office, some paired with a deferred-payment importer, one a strict senior.

Choosing culprits needs the files (who handles how much), so it runs after ``world.draw_files``;
the effects run at the stage of the clearance process they belong to (``apply_*`` below), each
scheme on its own random stream so that adding one does not reshuffle the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np

from arusha.worldgen.clearance import BLUE, FINE_MULTIPLIER, GREEN, RED, YELLOW, Control
from arusha.worldgen.goods import Goods, fabricate
from arusha.worldgen.timing import Timeline, after_hours, into_hours
from arusha.worldgen.truth import SchemeTruth
from arusha.worldgen.world import DAY, HOUR, B, F, Files, I, Profile, Stream, World, stream


@dataclass(frozen=True)
class SchemeKind:
    """One kind of scheme: its lead kind and the share of eligible files it acts on (weak, strong)."""

    code: str
    shares: tuple[float, float]


KINDS: Final = (
    SchemeKind("channel_override", (0.12, 0.35)),
    SchemeKind("detection_shortfall", (0.50, 0.90)),
    SchemeKind("unit_value_gap", (0.60, 1.00)),
    SchemeKind("pairing", (0.25, 0.60)),  # officer_declarant_pairing / officer_importer_pairing, alternately
    SchemeKind("release_delay", (0.60, 0.90)),
    SchemeKind("after_hours_release", (0.12, 0.40)),
    SchemeKind("release_before_payment", (0.08, 0.30)),
    SchemeKind("red_without_inspection", (0.25, 0.60)),
    SchemeKind("low_penalty", (0.40, 0.80)),
    SchemeKind("fabricated_values", (0.25, 0.60)),
)
# Variants whose share applies to other files: a chief relaxes a share of the whole office's
# red/yellow files (so a much smaller one); a collusive officer relaxes most of one broker's.
VARIANT_SHARES: Final = {"chief": (0.03, 0.08), "collusive": (0.40, 0.80)}
STEERED_SHARE: Final = 0.15  # red files of the office steered to a rubber-stamp officer
PAIR_KINDS: Final = ("unit_value_gap", "release_delay", "officer_importer_pairing")
MIN_FILES: Final = 20  # a culprit handles at least this many files in the window, when possible
# ... more where the scheme acts on rarer files (discrepancies found: about 6 % of files).
MIN_FILES_BY_KIND: Final = {"detection_shortfall": 80, "low_penalty": 80, "red_without_inspection": 60}
MIN_PAIR_CONTROLS: Final = 10  # and a pair's officer this many of the trader's yellow/red files
# Pair schemes acting on the files that come to the officer (not moving files to him).
ON_OWN_FILES: Final = ("unit_value_gap", "release_delay")


@dataclass
class Plan:
    """One planted scheme, with entity indexes (``truth_records`` turns it into ids)."""

    kind: str
    variant: str  # officer, chief, collusive, steered, pair, broker
    key: tuple[int, int]  # (kind index, instance): the scheme's own random stream
    officer: int  # -1 for a broker's scheme
    other: int  # declarant or importer index, -1 when none
    other_is: str  # "declarant", "importer" or ""
    office: int
    start: int  # first month index
    end: int  # last month index (inclusive)
    strong: bool
    share: float
    touched: I = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def rng(self, seed: int, stage: int) -> np.random.Generator:
        """Return this scheme's random stream for one stage."""
        return stream(seed, Stream.SCHEME_EFFECTS, *self.key, stage)

    def window(self, files: Files) -> B:
        """Return which files were registered within the scheme's window."""
        return np.asarray((files.month >= self.start) & (files.month <= self.end), dtype=np.bool_)

    def touch(self, rows: I) -> None:
        """Record declarations the scheme acted upon."""
        self.touched = np.union1d(self.touched, rows).astype(np.int64)


def _pick(mask: B, share: float, rng: np.random.Generator) -> I:
    """Return the indexes of ``mask`` kept with probability ``share``, at least one when any.

    A running scheme acts at least once: a weak scheme on few eligible files would otherwise leave
    a culprit in the truth with nothing in the data to find.
    """
    rows = np.flatnonzero(mask)
    kept = rng.random(rows.size) < share
    if rows.size and not kept.any():
        kept[rng.integers(0, rows.size)] = True
    return np.asarray(rows[kept], dtype=np.int64)


class _Chooser:
    """Chooses culprits: distinct, on duty through their window, busy enough to show."""

    def __init__(self, world: World, files: Files, controlled: B) -> None:
        self.world, self.files, self.controlled = world, files, controlled
        months = world.months
        cells = world.officer_ids.size * months
        self.load = np.bincount(files.officer_first * months + files.month, minlength=cells).reshape(
            -1, months
        )
        volume = np.bincount(files.office, minlength=world.office_codes.size).astype(np.float64)
        self.office_weight = (np.sqrt(volume) + 1e-9) / (np.sqrt(volume) + 1e-9).sum()
        self.officers: set[int] = set()
        self.traders: set[tuple[str, int]] = set()
        self.pair_weight: dict[str, F] = {}

    def offices(self, rng: np.random.Generator, preferred: int | None, pair: str = "") -> list[int]:
        """Return offices to try: the preferred one first, then a weighted random order.

        For a pair scheme, offices weigh by how many of its busiest trader's files one officer
        sees there (busiest trader's files / staff): where a pair can hardly meet, it does not form.
        """
        w = self.office_weight
        if pair:
            w = self._pair_weight(pair)
        order = rng.choice(w.size, w.size, replace=False, p=w).tolist()
        if preferred is not None:
            order.remove(preferred)
            order.insert(0, preferred)
        return [int(o) for o in order]

    def _pair_weight(self, of: str) -> F:
        """Return per office its busiest trader's files per officer, normalised (computed once)."""
        if of not in self.pair_weight:
            f, offices = self.files, self.office_weight.size
            trader = f.importer if of == "importer" else f.declarant
            width = int(trader.max()) + 1
            cells, counts = np.unique(f.office * width + trader, return_counts=True)
            most = np.zeros(offices)
            np.maximum.at(most, cells // width, counts.astype(np.float64))
            per_officer = most / np.bincount(self.world.officer_office, minlength=offices) + 1e-9
            self.pair_weight[of] = np.asarray(per_officer / per_officer.sum(), dtype=np.float64)
        return self.pair_weight[of]

    def officer(
        self,
        office: int,
        start: int,
        end: int,
        rng: np.random.Generator,
        role: str,
        partner: B | None = None,
        min_seen: int = 0,
        min_files: int = MIN_FILES,
    ) -> int | None:
        """Return an officer of the office on duty all window, chosen in proportion to his files.

        With ``partner`` (the files of a pair's declarant or importer), in proportion to how many of
        those files he handled (at least ``min_seen``): a relationship forms where the officer sees
        the trader, and a scheme on two or three files would leave nothing to find.
        """
        w = self.world
        staff = np.flatnonzero(w.officer_office == office)
        ok = w.active[staff, start : end + 1].all(axis=1) & ~np.isin(staff, list(self.officers))
        if role == "chief":
            ok &= w.chief[staff]
        load = self.load[staff, start : end + 1].sum(axis=1).astype(np.float64)
        busy = ok & (load >= min_files)
        if busy.any():
            ok = busy
        if role == "strict" and (ok & w.strict[staff]).any():
            ok &= w.strict[staff]
        if partner is not None:
            f = self.files
            seen = partner & (f.month >= start) & (f.month <= end)
            load = np.bincount(f.officer_first[seen], minlength=w.officer_ids.size)[staff] + 0.1
            ok &= load >= min_seen
        if not ok.any():
            return None
        weight = np.where(ok, load + 1.0, 0.0)
        chosen = int(rng.choice(staff, p=weight / weight.sum()))
        self.officers.add(chosen)
        return chosen

    def partner(
        self, office: int | None, start: int, end: int, of: str, rng: np.random.Generator, confounded: bool
    ) -> int | None:
        """Return a busy declarant or importer (at the office, in the window), optionally a confounded importer."""
        f = self.files
        entity = f.importer if of == "importer" else f.declarant
        in_window = (f.month >= start) & (f.month <= end)
        if office is not None:
            in_window &= f.office == office
        counts = np.bincount(entity[in_window], minlength=int(entity.max()) + 1)
        order = np.argsort(-counts, kind="stable")
        order = order[(counts[order] > 0) & ~np.isin(order, [k for t, k in self.traders if t == of])]
        if (counts[order] >= MIN_FILES).sum() >= 3:
            order = order[counts[order] >= MIN_FILES]
        if of == "importer":
            profile = self.world.importer_profile[order]
            if confounded:
                deferred = order[profile == Profile.DEFERRED_PAYMENT]
                pool = deferred[:5] if deferred.size else order[profile != Profile.ORDINARY][:5]
            else:
                pool = order[profile == Profile.ORDINARY][:5]
        else:
            pool = order[:5]
        if pool.size == 0:
            return None
        weight = counts[pool].astype(np.float64)
        chosen = int(rng.choice(pool, p=weight / weight.sum()))
        self.traders.add((of, chosen))
        return chosen

    def plan(self, kind: SchemeKind, k: int, j: int, rng: np.random.Generator) -> Plan | None:
        """Return the j-th scheme of a kind, or None when no culprit fits."""
        w = self.world
        strong = bool(rng.random() < 0.5)
        length = min(int(rng.integers(2, 9)), w.months)
        start = int(rng.integers(0, w.months - length + 1))
        end = start + length - 1
        code, variant, other_is = kind.code, "officer", ""
        if code == "channel_override":
            variant = ("officer", "chief", "collusive")[j] if j < 3 else "officer"
            other_is = "declarant" if variant == "collusive" else ""
        elif code == "detection_shortfall" and strong and rng.random() < 0.5:
            variant = "steered"
        elif code == "pairing":
            other_is = ("declarant", "importer")[j % 2]
            code, variant = f"officer_{other_is}_pairing", "pair"
        elif code in PAIR_KINDS:
            other_is, variant = "importer", "pair"
        shares = VARIANT_SHARES.get(variant, kind.shares)
        share = shares[1] if strong else shares[0]

        def make(variant: str, officer: int, other: int, other_is: str, office: int) -> Plan:
            return Plan(code, variant, (k, j), officer, other, other_is, office, start, end, strong, share)

        if code == "fabricated_values":
            broker = self.partner(None, start, end, "declarant", rng, False)
            if broker is None:
                return None
            f = self.files
            at = (f.declarant == broker) & (f.month >= start) & (f.month <= end)
            office = int(np.bincount(f.office[at], minlength=w.office_codes.size).argmax())
            return make("broker", -1, broker, "declarant", office)
        role = "chief" if variant == "chief" else "strict" if (code == "channel_override" and j == 0) else ""
        confounded = code in PAIR_KINDS and j == (1 if code == "officer_importer_pairing" else 0)
        on_own_files = code in ON_OWN_FILES or variant == "collusive"
        for min_seen in (MIN_PAIR_CONTROLS, 3, 1, 0) if on_own_files else (0,):
            for office in self.offices(rng, self._preferred_office(code, j), other_is):
                other, partner_files = -1, None
                if other_is:
                    found = self.partner(office, start, end, other_is, rng, confounded)
                    if found is None:
                        continue
                    other = found
                    trader = self.files.declarant if other_is == "declarant" else self.files.importer
                    partner_files = (trader == other) & (self.files.office == office)
                    if on_own_files:
                        partner_files &= self.controlled
                min_files = MIN_FILES_BY_KIND.get(code, MIN_FILES)
                officer = self.officer(office, start, end, rng, role, partner_files, min_seen, min_files)
                if officer is None:
                    self.traders.discard((other_is, other))
                    continue
                return make(variant, officer, other, other_is, office)
        return None

    def _preferred_office(self, code: str, j: int) -> int | None:
        """Return where a scheme instance is deliberately placed among confounders, if anywhere."""
        w = self.world
        if code == "after_hours_release" and j < 2:
            days = 7 if j == 0 else 6  # the round-the-clock office, then an extended-hours one
            return next((o for o, h in enumerate(w.office_hours) if h.days == days), None)
        if code == "release_before_payment" and j == 0:
            deferred = w.importer_profile[self.files.importer] == Profile.DEFERRED_PAYMENT
            counts = np.bincount(self.files.office[deferred], minlength=w.office_codes.size)
            return int(counts.argmax()) if counts.any() else None
        return None


def choose_schemes(world: World, files: Files, controlled: B, per_kind: int, seed: int) -> list[Plan]:
    """Return ``per_kind`` schemes of each kind, each with a distinct culprit.

    ``controlled`` marks the files selectivity sends to yellow/red in the honest world: a pair
    scheme acting on the trader's controlled files goes to an officer who sees some of them.
    """
    chooser = _Chooser(world, files, controlled)
    plans: list[Plan] = []
    for k, kind in enumerate(KINDS):
        rng = stream(seed, Stream.SCHEME_CHOICE, k)
        for j in range(per_kind):
            plan = chooser.plan(kind, k, j, rng)
            if plan is not None:
                plans.append(plan)
    return plans


def _culprits(plans: list[Plan]) -> I:
    return np.array([p.officer for p in plans if p.officer >= 0], dtype=np.int64)


def apply_goods(plans: list[Plan], files: Files, goods: Goods, seed: int) -> None:
    """Fabricated values: a broker invents or rounds item values for some of its importers."""
    for plan in (p for p in plans if p.kind == "fabricated_values"):
        rng = plan.rng(seed, 1)
        in_window = plan.window(files) & (files.declarant == plan.other)
        importers, counts = np.unique(files.importer[in_window], return_counts=True)
        if importers.size == 0:
            continue
        chosen = rng.random(importers.size) < 0.5
        chosen[np.argmax(counts)] = True  # its main client in the window, and about half of the others
        target = in_window & np.isin(files.importer, importers[chosen])
        lines = _pick(target[goods.line_decl], plan.share, rng)
        fabricate(goods, lines, rng)
        plan.touch(np.unique(goods.line_decl[lines]))


def apply_assignment(plans: list[Plan], files: Files, control: Control, seed: int) -> None:
    """Captured assignments: files moved to the culprit by a reassignment after a random first one."""
    honest = ~np.isin(files.officer, _culprits(plans))
    for plan in plans:
        rng = plan.rng(seed, 2)
        at_office = plan.window(files) & (files.office == plan.office) & honest
        if plan.variant == "pair" and plan.kind.endswith("_pairing"):
            trader = files.declarant if plan.other_is == "declarant" else files.importer
            rows = _pick(at_office & (trader == plan.other), plan.share, rng)
        elif plan.variant == "steered":
            rows = _pick(at_office & (control.assigned == RED), STEERED_SHARE, rng)
        else:
            continue
        files.officer[rows] = plan.officer
        plan.touch(rows)


def apply_channels(plans: list[Plan], files: Files, control: Control, seed: int) -> None:
    """Channel overrides: red/yellow files relaxed to green/blue by the culprit."""
    culprits = _culprits(plans)
    for plan in (p for p in plans if p.kind == "channel_override"):
        rng = plan.rng(seed, 3)
        eligible = plan.window(files) & (control.assigned >= YELLOW) & (control.final == control.assigned)
        if plan.variant == "chief":
            eligible &= (files.office == plan.office) & ~np.isin(files.officer, culprits)
        else:
            eligible &= files.officer == plan.officer
        if plan.variant == "collusive":
            eligible &= files.declarant == plan.other
        rows = _pick(eligible, plan.share, rng)
        control.final[rows] = np.where(rng.random(rows.size) < 0.85, GREEN, BLUE)
        control.changed_by[rows] = plan.officer
        plan.touch(rows)


def apply_values(plans: list[Plan], files: Files, goods: Goods, control: Control, seed: int) -> None:
    """Accepted undervaluation: on the files the culprit examines, the importer declares 35–50 %."""
    for plan in (p for p in plans if p.kind == "unit_value_gap"):
        rng = plan.rng(seed, 4)
        examined = (files.officer == plan.officer) & (files.importer == plan.other) & control.inspected
        rows = _pick(plan.window(files) & examined, plan.share, rng)
        low, high = (0.35, 0.42) if plan.strong else (0.42, 0.50)
        ratio = np.zeros(files.n)
        ratio[rows] = rng.uniform(low, high, rows.size)
        lines = np.flatnonzero(ratio[goods.line_decl] > 0)
        goods.declared[lines] = np.round(goods.true_value[lines] * ratio[goods.line_decl[lines]], 2)
        plan.touch(rows)


def apply_inspection(plans: list[Plan], files: Files, control: Control, seed: int) -> None:
    """Rubber stamps, red files without inspection, and accepted low values: nothing recorded as found."""
    for plan in plans:
        rng = plan.rng(seed, 5)
        mine = plan.window(files) & (files.officer == plan.officer)
        if plan.kind == "detection_shortfall":
            rows = _pick(mine & control.hit, plan.share, rng)
        elif plan.kind == "red_without_inspection":
            rows = _pick(mine & (control.final == RED) & control.logged, plan.share, rng)
            control.logged[rows] = False
        elif plan.kind == "unit_value_gap":
            rows = plan.touched
        else:
            continue
        control.hit[rows] = False
        plan.touch(rows)


def apply_fines(plans: list[Plan], files: Files, control: Control, seed: int) -> None:
    """Low penalties: fines at 15–30 % of what the offence and the duties evaded get, or waived."""
    for plan in (p for p in plans if p.kind == "low_penalty"):
        rng = plan.rng(seed, 6)
        rows = _pick(plan.window(files) & (files.officer == plan.officer) & control.hit, plan.share, rng)
        usual = FINE_MULTIPLIER[control.offence[rows]] * control.evaded[rows]
        low = np.round(usual * rng.uniform(0.15, 0.30, rows.size), 0)
        control.penalty[rows] = np.where(rng.random(rows.size) < 0.25, 0.0, low)
        plan.touch(rows)


def apply_times(
    plans: list[Plan], world: World, files: Files, control: Control, timeline: Timeline, seed: int
) -> None:
    """Release delays (extortion), releases at night or weekends, and releases before payment."""
    signed = control.inspected & ~np.isnan(timeline.released)
    opens, closes, days = world.hours_of(files.office)
    for plan in plans:
        rng = plan.rng(seed, 7)
        mine = plan.window(files) & (files.officer == plan.officer) & signed
        if plan.kind == "release_delay":
            rows = _pick(mine & (files.importer == plan.other), plan.share, rng)
            late = timeline.released[rows] + rng.uniform(3.0, 10.0, rows.size) * DAY
            u = rng.random(rows.size)
            timeline.released[rows] = into_hours(late, opens[rows], closes[rows], days[rows], u)
        elif plan.kind == "after_hours_release":
            rows = _pick(mine, plan.share, rng)
            u_kind, u_time = rng.random(rows.size), rng.random(rows.size)
            timeline.released[rows] = after_hours(timeline.ready[rows], u_kind, u_time)
        elif plan.kind == "release_before_payment":
            rows = _pick(mine & ~np.isnan(timeline.paid), plan.share, rng)
            paid = timeline.released[rows] + rng.uniform(4.0, 240.0, rows.size) * HOUR
            timeline.paid[rows] = np.where(rng.random(rows.size) < 0.15, np.nan, paid)  # some never paid
        else:
            continue
        plan.touch(rows)


def _description(plan: Plan) -> str:
    """Return what the culprit does, in words, for the person reading ``truth.json``."""
    s = f"{plan.share:.0%}"
    if plan.kind == "channel_override":
        return {
            "chief": f"chief of the office: relaxes {s} of other officers' red/yellow files to green/blue",
            "collusive": f"relaxes {s} of this broker's red/yellow files that come to him to green/blue",
        }.get(plan.variant, f"relaxes {s} of his red/yellow files to green/blue")
    if plan.kind.endswith("_pairing"):
        return f"{s} of the {plan.other_is}'s files at the office moved to him by reassignment"
    if plan.kind == "detection_shortfall":
        steered = (
            f", and {STEERED_SHARE:.0%} of the office's red files are steered to him"
            if plan.variant == "steered"
            else ""
        )
        return f"records no discrepancy on {s} of the inspections that would find one{steered}"
    if plan.kind == "unit_value_gap":
        band = "35–42 %" if plan.strong else "42–50 %"
        return f"on {s} of this importer's files he examines, values at {band} of the true value accepted unchanged"
    return {
        "release_delay": f"delays the release of {s} of this importer's files he handles by 3–10 days",
        "after_hours_release": f"signs {s} of his releases at night or on weekends",
        "release_before_payment": f"releases {s} of his files before the duties are paid",
        "red_without_inspection": f"closes {s} of his red files 'no discrepancy' with no inspection",
        "low_penalty": f"on {s} of his fines, 15–30 % of the usual amount for the offence and duties evaded, a quarter waived",
        "fabricated_values": f"fabricates {s} of the item values (whole thousands or invented digits) for some of its importers",
    }[plan.kind]


def truth_records(plans: list[Plan], world: World) -> list[SchemeTruth]:
    """Return the planted schemes as truth records, with ids instead of indexes."""
    records = []
    for plan in plans:
        officer = str(world.officer_ids[plan.officer]) if plan.officer >= 0 else None
        ids = world.declarant_ids if plan.other_is == "declarant" else world.importer_ids
        other = str(ids[plan.other]) if plan.other >= 0 else None
        if officer is None:
            entity_type, entity_id, other = "declarant", str(other), None
        elif plan.other >= 0:
            entity_type, entity_id = f"officer_{plan.other_is}_pair", f"{officer}|{other}"
        else:
            entity_type, entity_id = "officer", officer
        records.append(
            SchemeTruth(
                kind=plan.kind,
                entity_type=entity_type,
                entity_id=entity_id,
                officer_id=officer,
                other_id=other,
                office_code=str(world.office_codes[plan.office]),
                window_start=world.month_labels[plan.start],
                window_end=world.month_labels[plan.end],
                strength="strong" if plan.strong else "weak",
                description=_description(plan),
                variant=plan.variant,
                share=plan.share,
                affected_declarations=int(plan.touched.size),
            )
        )
    return records
