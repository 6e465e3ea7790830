"""Channel overrides: relaxations (red/yellow → a lower channel) credited to whoever changed the channel.

Why the changer: a chief who relaxes other officers' files is the one deciding; crediting the
assessing officer hid him. Strict officers who move files *up* are not counted: only relaxations are,
and officers who raise many files (strict reviewers, often seniors) are compared with each other.
Tested per officer, per officer × declarant (collusive overrides: the pair's relaxations against
other officers' decisions on the same declarant's and importers' files) and per office (every
officer of an office alike). Not per declarant: a broker whose files many officers relax cannot be
told apart from one whose importers hold a trusted-trader status (importers mostly keep one broker,
so no other broker's files say what is usual for them), and the relaxations are the officers'.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from arusha.leads import family, standardise
from arusha.leads.decisions import SYSTEM_ACTORS
from arusha.leads.family import Candidates
from arusha.leads.frame import Decisions
from arusha.leads.scan import Effect

KIND = "channel_override"
OFFICER_LEVELS = (
    ("office_code",),
    ("office_code", "ch_a"),
    ("office_code", "ch_a", "month"),
    ("importer_id", "office_code", "ch_a"),
    ("importer_id", "office_code", "ch_a", "month"),
)
OFFICE_LEVELS = ((), ("ch_a",), ("ch_a", "month"))
# Offices are compared with the other offices only when there are enough of them: against one or
# two others, an office's ordinary month-to-month differences look like leads.
MIN_OFFICES = 4
STRICT_SHARE = 0.05  # a strict reviewer raises at least 5 % of his green/blue files...
STRICT_FACTOR = 3.0  # ...and three times his office's share


def strict_reviewers(dec: Decisions) -> np.ndarray:
    """Per officer code, whether he raises green/blue files to a stricter channel far more than his office.

    Why: senior officers who review files legitimately change channels more often, mostly upward,
    and relax a few more after their checks too; compared with juniors, every one of them looked
    like a lead. An officer who raises at least 5 % of his green/blue files and three times his
    office's share is compared with the other strict reviewers of his office (with fewer than 20 of
    their files to compare with, his own are left out and counted as unstandardised); a relaxing
    officer who never raises anything is compared with the ordinary ones.
    """
    ch_a, ch_f = dec.codes("ch_a"), dec.codes("ch_f")
    officer, changer, office = dec.codes("officer_id"), dec.codes("changer"), dec.codes("office_code")
    low = (ch_a >= 0) & (ch_a <= 1) & (officer >= 0)
    raised = low & (ch_f > ch_a)
    actor = np.where(raised & (changer >= 0), changer, officer)
    size = len(dec.names["officer_id"])
    files = np.bincount(actor[low], minlength=size).astype(np.float64)
    ups = np.bincount(actor[raised], minlength=size).astype(np.float64)
    known = officer >= 0
    home = family.most_common(officer[known], office[known], size)
    offices = int(office.max(initial=-1)) + 1
    raised_by_office = np.bincount(office[low], weights=raised[low].astype(np.float64), minlength=offices)
    office_share = raised_by_office / np.maximum(np.bincount(office[low], minlength=offices), 1)
    share = ups / np.maximum(files, 1.0)
    baseline = np.where(home >= 0, office_share[np.maximum(home, 0)], 0.0)
    return np.asarray((files >= 20) & (share >= STRICT_SHARE) & (share >= STRICT_FACTOR * baseline))


def system_codes(dec: Decisions) -> np.ndarray:
    """Codes (in the officers' dictionary) of the actors that are no officer: SYSTEM, BANK, GATE."""
    names = dec.names["officer_id"]
    return np.array([c for c, name in enumerate(names) if str(name) in SYSTEM_ACTORS], dtype=np.int64)


def candidates(dec: Decisions, effect: Effect) -> list[Candidates]:
    ch_a, ch_f = dec.codes("ch_a"), dec.codes("ch_f")
    changer_all = dec.codes("changer")
    # A channel the selectivity system changed by rule is nobody's decision: those files are left out.
    by_system = np.isin(changer_all, system_codes(dec))
    rows = np.flatnonzero((ch_a >= 2) & (ch_f >= 0) & ~by_system)
    relaxed = (ch_f[rows] < ch_a[rows]).astype(np.float64)
    officer, changer = dec.codes("officer_id")[rows], changer_all[rows]
    actor = np.where((relaxed > 0) & (changer >= 0), changer, officer)
    strict = strict_reviewers(dec)[np.maximum(actor, 0)].astype(np.int64)
    levels = tuple((*level, strict) for level in OFFICER_LEVELS)
    out = family.officer_and_pairs(
        dec,
        KIND,
        rows,
        relaxed,
        actor,
        levels,
        "declarant_id",
        "officer_declarant_pair",
        effect=effect,
    )
    out.append(office_test(dec, KIND, rows, relaxed, actor, OFFICE_LEVELS, out[0], effect))
    return out


def office_test(
    dec: Decisions,
    kind: str,
    rows: np.ndarray,
    event: np.ndarray,
    actor: np.ndarray,
    levels: Sequence[Sequence[str | np.ndarray]],
    officers: Candidates,
    effect: Effect,
    direction: str = "high",
) -> Candidates:
    """Test offices against the other offices, leaving out the files of officers who are leads of their own.

    Why: one officer relaxing a third of his channels lifts his whole office; left out, what
    remains is what the office's officers do alike, which their own peers cannot show. The
    officers left out are named in ``related``.
    """
    from arusha.leads.ranking import leading_officers

    offices = dec.codes("office_code")[rows]
    if np.unique(offices[offices >= 0]).size < MIN_OFFICES:
        return family.empty(kind, "office")
    left_out = leading_officers(officers)
    codes = {code for code, name in enumerate(dec.names["officer_id"]) if name in left_out}
    keep = ~np.isin(actor, np.fromiter(codes, dtype=np.int64, count=len(codes)))
    rows, event = rows[keep], event[keep]
    levels = family.subset_levels(levels, keep)
    office = dec.codes("office_code")[rows]
    strata = family.chain(dec, rows, levels)
    rate, ok, variance, shared = standardise.expected_rates_with_variance(
        office, strata, event, pool_depth=family.pool_level(levels)
    )
    found = family.run(
        dec,
        kind,
        "office",
        rows,
        event,
        rate,
        ok,
        office,
        None,
        None,
        None,
        direction,
        effect,
        entity=office,
        entity_column="office_code",
        variance=variance,
        shared=shared,
    )
    if not found.rows.empty and left_out:
        by_office: dict[str, list[str]] = {}
        officer_rows = officers.rows
        for r in officer_rows[officer_rows.officer_id.isin(left_out)].itertuples():
            by_office.setdefault(str(r.office_code), []).append(str(r.officer_id))
        found.rows["related"] = [";".join(sorted(by_office.get(o, []))) for o in found.rows.office_code]
    return found
