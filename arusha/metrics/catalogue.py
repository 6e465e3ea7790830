"""The indicator catalogue: what each indicator means, in English and French, and how it is computed.

Most indicators are a ratio of sums over per-declaration facts (``facts.py``): a share is
``Σ flag / Σ eligible``, an amount per case is ``Σ amount / Σ case``. Keeping the definition as data
lets the web app, the report and the docs show the same text, and lets one generic aggregation compute
every indicator at every level. Codes follow the Cameroon/Madagascar performance contracts where they
exist (TF1–TF4, BP1–BP6, CP1, ``shared/domain/wco-integrity.md`` §9.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Agg = Literal["ratio", "median", "p90", "sum", "count", "special"]
Direction = Literal["higher_better", "higher_worse", "context"]
Group = Literal["facilitation", "control", "integrity", "volume"]

LEVELS: Final = (
    "officer",
    "office",
    "declarant",
    "importer",
    "officer_declarant_pair",
    "officer_importer_pair",
    "hs_chapter",
    "administration",
)
PERIODS: Final = ("month", "quarter", "year")

_ALL = ("officer", "office", "declarant", "importer", "hs_chapter", "administration")
_OPS = ("officer", "office", "administration")
_TRADERS = ("officer", "office", "declarant", "importer", "administration")


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry.

    ``needs`` names the canonical columns (or ``items``/``events`` tables) without which the
    indicator is not computable. For ``ratio`` indicators ``numerator``/``denominator`` are fact
    columns; for ``median``/``p90``/``sum`` ``numerator`` is the fact column aggregated.
    """

    code: str
    group: Group
    name_en: str
    name_fr: str
    definition_en: str
    definition_fr: str
    unit: str
    direction: Direction
    levels: tuple[str, ...]
    needs: tuple[str, ...]
    agg: Agg
    numerator: str = ""
    denominator: str = ""
    provenance: str = ""
    binomial: bool = False  # numerator and denominator are counts: exact tests apply
    count: str = ""  # fact counted as ``n`` when the denominator is an amount (default: the denominator)


CATALOGUE: Final[tuple[Indicator, ...]] = (
    # ---- Volume
    Indicator(
        "VOL_DECL",
        "volume",
        "Declarations",
        "Déclarations",
        "Number of declarations registered in the period.",
        "Nombre de déclarations enregistrées sur la période.",
        "count",
        "context",
        _ALL,
        (),
        "count",
    ),
    Indicator(
        "VOL_VALUE",
        "volume",
        "Declared value",
        "Valeur déclarée",
        "Sum of declared customs value.",
        "Somme des valeurs en douane déclarées.",
        "amount",
        "context",
        _ALL,
        ("declared_value",),
        "sum",
        "declared_value",
    ),
    Indicator(
        "VOL_DUTIES",
        "volume",
        "Duties and taxes",
        "Droits et taxes",
        "Sum of duties and taxes assessed (declared when not assessed).",
        "Somme des droits et taxes liquidés (déclarés à défaut).",
        "amount",
        "context",
        _ALL,
        ("duties_declared",),
        "sum",
        "duties",
    ),
    # ---- Facilitation
    Indicator(
        "TF1",
        "facilitation",
        "Assessed on the day of registration",
        "Liquidées le jour de l'enregistrement",
        "Share of declarations assessed on the calendar day they were registered.",
        "Part des déclarations liquidées le jour calendaire de leur enregistrement.",
        "share",
        "higher_better",
        _ALL,
        ("assessed_at",),
        "ratio",
        "tf1",
        "one",
        "Cameroon PMC TF1",
        True,
    ),
    Indicator(
        "TF2",
        "facilitation",
        "Assessed 5 days or more after registration",
        "Liquidées 5 jours ou plus après l'enregistrement",
        "Share of declarations assessed at least 120 hours after registration.",
        "Part des déclarations liquidées au moins 120 heures après l'enregistrement.",
        "share",
        "higher_worse",
        _ALL,
        ("assessed_at",),
        "ratio",
        "tf2",
        "one",
        "Cameroon PMC TF2",
        True,
    ),
    Indicator(
        "TF3",
        "facilitation",
        "Not assessed within a month",
        "Non liquidées dans le mois",
        "Share of declarations registered at least 30 days before the end of the data that were "
        "not assessed within 30 days.",
        "Part des déclarations enregistrées au moins 30 jours avant la fin des données et non "
        "liquidées dans les 30 jours.",
        "share",
        "higher_worse",
        _ALL,
        ("assessed_at",),
        "ratio",
        "tf3",
        "tf3_base",
        "Cameroon PMC TF3",
        True,
    ),
    Indicator(
        "TF4",
        "facilitation",
        "Documentary control assessed within 24 h",
        "Contrôle documentaire liquidé en 24 h",
        "Share of yellow-channel (documentary control) declarations assessed within 24 hours.",
        "Part des déclarations du circuit jaune (contrôle documentaire) liquidées en 24 heures.",
        "share",
        "higher_better",
        _ALL,
        ("assessed_at", "channel_final"),
        "ratio",
        "tf4",
        "yellow",
        "Madagascar PMC (53% → 85%)",
        True,
    ),
    Indicator(
        "TF5",
        "facilitation",
        "Median hours registration → release",
        "Durée médiane enregistrement → BAE (h)",
        "Median hours from registration to release, released declarations.",
        "Médiane des heures entre enregistrement et bon à enlever, déclarations enlevées.",
        "hours",
        "higher_worse",
        _ALL,
        ("released_at",),
        "median",
        "release_h",
        provenance="TRS",
    ),
    Indicator(
        "TF5_P90",
        "facilitation",
        "90th percentile hours registration → release",
        "90e centile enregistrement → BAE (h)",
        "90th percentile of hours from registration to release.",
        "90e centile des heures entre enregistrement et bon à enlever.",
        "hours",
        "higher_worse",
        _ALL,
        ("released_at",),
        "p90",
        "release_h",
        provenance="TRS",
    ),
    Indicator(
        "TRS_REG_ASSESS",
        "facilitation",
        "Median hours registration → assessment",
        "Durée médiane enregistrement → liquidation (h)",
        "Time Release Study stage: median hours from registration to assessment.",
        "Étape de l'étude de temps de mainlevée : médiane enregistrement → liquidation.",
        "hours",
        "higher_worse",
        ("office", "administration"),
        ("assessed_at",),
        "median",
        "h_reg_assess",
    ),
    Indicator(
        "TRS_ASSESS_PAY",
        "facilitation",
        "Median hours assessment → payment",
        "Durée médiane liquidation → paiement (h)",
        "Time Release Study stage: median hours from assessment to payment.",
        "Étape de l'étude de temps de mainlevée : médiane liquidation → paiement.",
        "hours",
        "context",
        ("office", "administration"),
        ("assessed_at", "paid_at"),
        "median",
        "h_assess_pay",
    ),
    Indicator(
        "TRS_PAY_RELEASE",
        "facilitation",
        "Median hours payment → release",
        "Durée médiane paiement → BAE (h)",
        "Time Release Study stage: median hours from payment to release.",
        "Étape de l'étude de temps de mainlevée : médiane paiement → bon à enlever.",
        "hours",
        "higher_worse",
        ("office", "administration"),
        ("paid_at", "released_at"),
        "median",
        "h_pay_release",
    ),
    # ---- Control effectiveness
    Indicator(
        "BP2",
        "control",
        "Inspection hit rate",
        "Taux de résultats des contrôles",
        "Share of inspected declarations (documentary or physical) where a discrepancy was found.",
        "Part des déclarations contrôlées où une irrégularité a été constatée.",
        "share",
        "higher_better",
        _TRADERS,
        ("inspection_result",),
        "ratio",
        "hit",
        "inspected",
        "Madagascar (10% → >50%)",
        True,
    ),
    Indicator(
        "BP3",
        "control",
        "Additional duties per inspected declaration",
        "Droits additionnels par déclaration contrôlée",
        "Sum of (duties assessed − duties declared) divided by the number of inspected declarations.",
        "Somme (droits liquidés − droits déclarés) divisée par le nombre de déclarations contrôlées.",
        "amount",
        "higher_better",
        _OPS,
        ("inspection_result", "duties_assessed"),
        "ratio",
        "extra_duties",
        "inspected",
        "PMC guide",
    ),
    Indicator(
        "BP3_UPLIFT",
        "control",
        "Value uplift on inspected declarations",
        "Redressement de valeur sur les déclarations contrôlées",
        "Sum of (assessed − declared value) over declared value, inspected declarations.",
        "Somme (valeur retenue − valeur déclarée) rapportée à la valeur déclarée, déclarations contrôlées.",
        "ratio",
        "higher_better",
        _OPS,
        ("inspection_result", "assessed_value"),
        "ratio",
        "uplift_value",
        "inspected_value",
        count="inspected",
    ),
    Indicator(
        "BP4",
        "control",
        "Penalty per offence",
        "Amende par infraction",
        "Average fine per declaration with an offence code.",
        "Amende moyenne par déclaration portant un code d'infraction.",
        "amount",
        "higher_better",
        _OPS,
        ("offence_code", "penalty_amount"),
        "ratio",
        "penalty",
        "offence",
        "Madagascar, Cameroon",
    ),
    Indicator(
        "BP5",
        "control",
        "Value-adjustment rate",
        "Taux d'ajustement de la valeur",
        "Share of declarations with an assessed value whose value differs from the declared one by "
        "more than 0.5%.",
        "Part des déclarations avec valeur retenue différant de plus de 0,5 % de la valeur déclarée.",
        "share",
        "context",
        _TRADERS,
        ("assessed_value",),
        "ratio",
        "adjusted",
        "has_assessed_value",
        binomial=True,
    ),
    # ---- Integrity risk
    Indicator(
        "BP1",
        "integrity",
        "Channel-override rate",
        "Taux de modification du circuit",
        "Share of declarations assigned red or yellow by selectivity whose final channel is less strict.",
        "Part des déclarations orientées rouge ou jaune dont le circuit final est moins strict.",
        "share",
        "higher_worse",
        _TRADERS,
        ("channel_assigned", "channel_final"),
        "ratio",
        "ovr_down",
        "red_or_yellow",
        "Cameroon PMC",
        True,
    ),
    Indicator(
        "BP1_RG",
        "integrity",
        "Override red → green",
        "Modification rouge → vert",
        "Share of red-assigned declarations cleared green.",
        "Part des déclarations orientées rouge passées au vert.",
        "share",
        "higher_worse",
        _TRADERS,
        ("channel_assigned", "channel_final"),
        "ratio",
        "ovr_red_green",
        "assigned_red",
        binomial=True,
    ),
    Indicator(
        "BP1_RY",
        "integrity",
        "Override red → yellow",
        "Modification rouge → jaune",
        "Share of red-assigned declarations cleared yellow.",
        "Part des déclarations orientées rouge passées au jaune.",
        "share",
        "higher_worse",
        _TRADERS,
        ("channel_assigned", "channel_final"),
        "ratio",
        "ovr_red_yellow",
        "assigned_red",
        binomial=True,
    ),
    Indicator(
        "BP1_YG",
        "integrity",
        "Override yellow → green",
        "Modification jaune → vert",
        "Share of yellow-assigned declarations cleared green.",
        "Part des déclarations orientées jaune passées au vert.",
        "share",
        "higher_worse",
        _TRADERS,
        ("channel_assigned", "channel_final"),
        "ratio",
        "ovr_yellow_green",
        "assigned_yellow",
        binomial=True,
    ),
    Indicator(
        "BP1_CONC",
        "integrity",
        "Override concentration on one declarant",
        "Concentration des modifications sur un déclarant",
        "Share of an office's channel overrides that benefit its single most frequent declarant.",
        "Part des modifications de circuit d'un bureau au profit de son premier déclarant.",
        "share",
        "higher_worse",
        ("office",),
        ("channel_assigned", "channel_final"),
        "special",
    ),
    Indicator(
        "CP1",
        "integrity",
        "Officer × declarant pairing excess",
        "Surreprésentation inspecteur × déclarant",
        "Declarations of the pair divided by the number expected if the office assigned the "
        "declarant's files to officers in proportion to the officer's share of the office's other "
        "files; tested with an exact binomial test.",
        "Déclarations du couple rapportées au nombre attendu si le bureau répartissait les dossiers "
        "du déclarant selon la part de l'inspecteur dans les autres dossiers ; test binomial exact.",
        "ratio",
        "higher_worse",
        ("officer_declarant_pair", "officer_importer_pair"),
        ("officer_id",),
        "special",
        provenance="Chalendard et al., QJE 2023",
    ),
    Indicator(
        "BP6",
        "integrity",
        "Low unit values released without adjustment",
        "Valeurs unitaires basses sans redressement",
        "Share of item lines released without value adjustment whose value per kg is below half the "
        "median for the same HS6 × origin.",
        "Part des articles dédouanés sans redressement dont la valeur au kg est inférieure à la moitié "
        "de la médiane du même SH6 × origine.",
        "share",
        "higher_worse",
        _TRADERS,
        ("items", "released_at"),
        "ratio",
        "uv_low",
        "uv_lines",
        binomial=True,
    ),
    Indicator(
        "AFTER_HOURS",
        "integrity",
        "Releases after hours or at the weekend",
        "Mainlevées hors heures ouvrables ou le week-end",
        "Share of releases outside Monday–Friday 07:00–18:00.",
        "Part des bons à enlever hors du lundi–vendredi 07:00–18:00.",
        "share",
        "higher_worse",
        _TRADERS,
        ("released_at",),
        "ratio",
        "after_hours",
        "released",
        binomial=True,
    ),
    Indicator(
        "REL_BEFORE_PAY",
        "integrity",
        "Released before payment",
        "Enlevées avant paiement",
        "Share of released declarations with duties due that were released before duties were paid.",
        "Part des déclarations enlevées, avec droits dus, enlevées avant le paiement.",
        "share",
        "higher_worse",
        _TRADERS,
        ("released_at", "paid_at"),
        "ratio",
        "before_pay",
        "released_due",
        binomial=True,
    ),
    Indicator(
        "RED_NO_INSP",
        "integrity",
        "Red channel released without inspection",
        "Circuit rouge enlevé sans visite",
        "Share of released red-channel declarations with no inspection result recorded.",
        "Part des déclarations du circuit rouge enlevées sans résultat de visite.",
        "share",
        "higher_worse",
        _TRADERS,
        ("channel_final", "inspection_result", "released_at"),
        "ratio",
        "red_no_insp",
        "red_released",
        binomial=True,
    ),
    Indicator(
        "PEN_LOW",
        "integrity",
        "Penalties far below the norm for the offence",
        "Amendes très inférieures à la norme de l'infraction",
        "Share of fined offences whose fine is below half the median fine for the same offence code.",
        "Part des infractions dont l'amende est inférieure à la moitié de l'amende médiane du même code.",
        "share",
        "higher_worse",
        _OPS,
        ("offence_code", "penalty_amount"),
        "ratio",
        "pen_low",
        "pen_case",
        binomial=True,
    ),
    Indicator(
        "BENFORD_MAD",
        "integrity",
        "Benford first-digit deviation",
        "Écart à la loi de Benford",
        "Mean absolute deviation between the first-digit distribution of declared values and "
        "Benford's law (Nigrini: above 0.015 is nonconformity).",
        "Écart absolu moyen entre la distribution du premier chiffre des valeurs déclarées et la loi "
        "de Benford (Nigrini : non-conformité au-delà de 0,015).",
        "ratio",
        "higher_worse",
        ("declarant", "importer"),
        ("declared_value",),
        "special",
    ),
)

BY_CODE: Final = {i.code: i for i in CATALOGUE}


def not_computable_reason(indicator: Indicator, available: set[str]) -> str | None:
    """Return ``"not computable (missing column X)"`` when a needed column or table is absent.

    Args:
        indicator: The catalogue entry.
        available: Populated canonical column names, plus ``items``/``events`` when those tables exist.

    Example:
        >>> not_computable_reason(BY_CODE["TF1"], {"declaration_id"})
        'not computable (missing column assessed_at)'
    """
    missing = [n for n in indicator.needs if n not in available]
    if not missing:
        return None
    kind = "table" if missing[0] in {"items", "events"} else "column"
    return f"not computable (missing {kind} {missing[0]})"
