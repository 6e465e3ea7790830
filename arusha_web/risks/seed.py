"""Default scales, bands, process catalogue and typical risks, in English and French.

The WCO guide's own scales and step-by-step risk list were not retrieved (domain doc §3.4–3.5,
tagged [U]/[D]): everything here is an editable starting point, not official WCO text. The
process and scale rows are loaded by a data migration; typical risks are offered on the
"Typical risks" page and copied into the register on request.
"""

from __future__ import annotations

from typing import Any

# axis, value, label_en, label_fr, definition_en, definition_fr
SCALE_LEVELS = [
    ("likelihood", 1, "Rare", "Rare", "Not expected; no known case or lead in the last 5 years.",
     "Non attendu ; aucun cas ni piste connus depuis 5 ans."),
    ("likelihood", 2, "Unlikely", "Peu probable", "Could happen; isolated reports or weak data leads.",
     "Pourrait arriver ; signalements isolés ou pistes faibles dans les données."),
    ("likelihood", 3, "Possible", "Possible", "Has happened; several reports, or leads confirmed now and then.",
     "S'est déjà produit ; plusieurs signalements, ou pistes parfois confirmées."),
    ("likelihood", 4, "Likely", "Probable", "Happens regularly; recurrent complaints, strong data leads.",
     "Se produit régulièrement ; plaintes récurrentes, pistes fortes dans les données."),
    ("likelihood", 5, "Almost certain", "Quasi certain", "Routine practice; widely perceived as normal.",
     "Pratique courante ; largement perçue comme normale."),
    ("impact", 1, "Minor", "Mineur", "Negligible revenue loss; no public attention.",
     "Perte de recettes négligeable ; aucune attention publique."),
    ("impact", 2, "Moderate", "Modéré", "Limited losses or delays; local complaints.",
     "Pertes ou retards limités ; plaintes locales."),
    ("impact", 3, "Serious", "Sérieux", "Material revenue loss or unfair treatment of traders; media interest.",
     "Perte de recettes significative ou traitement inéquitable des opérateurs ; intérêt des médias."),
    ("impact", 4, "Major", "Majeur", "Large losses, prohibited goods entering, loss of trust of partners.",
     "Pertes importantes, entrée de marchandises prohibées, perte de confiance des partenaires."),
    ("impact", 5, "Severe", "Grave", "Threat to security or to the administration's credibility as a whole.",
     "Menace pour la sécurité ou pour la crédibilité de l'administration tout entière."),
]  # fmt: skip

# code, label_en, label_fr, min, max, colour — §9.5 proposal: low 1–4, medium 5–9, high 10–16, critical 20–25
BANDS = [
    ("low", "Low", "Faible", 1, 4, "#8fd19e"),
    ("medium", "Medium", "Moyen", 5, 9, "#ffe08a"),
    ("high", "High", "Élevé", 10, 16, "#f4a261"),
    ("critical", "Critical", "Critique", 17, 25, "#e76f51"),
]

_CLEARANCE_STEPS = [
    ("registration", "Registration / lodgement", "Enregistrement / dépôt", "declarant, broker, registration officer"),
    ("assignment", "Assignment to an officer", "Affectation à un agent", "head of section, system"),
    ("selectivity", "Risk selectivity (channel)", "Sélectivité (circuit)", "risk officer, head of office"),
    ("documentary", "Documentary check and valuation", "Contrôle documentaire et valeur", "verification officer, valuation unit"),
    ("examination", "Physical examination", "Visite physique", "examining officer, broker"),
    ("assessment", "Assessment and litigation", "Liquidation et contentieux", "verification officer, litigation unit"),
    ("payment", "Payment", "Paiement", "cashier, bank"),
    ("release", "Release and exit", "Mainlevée et sortie", "gate officer, terminal operator"),
]  # fmt: skip

# code, name_en, name_fr, description_en, description_fr, steps (code, en, fr, actors)
PROCESSES: list[tuple[str, str, str, str, str, list[tuple[str, str, str, str]]]] = [
    ("import", "Import clearance", "Dédouanement à l'importation",
     "From lodgement of the declaration to the goods leaving the customs area.",
     "Du dépôt de la déclaration à la sortie des marchandises de la zone sous douane.", _CLEARANCE_STEPS),
    ("export", "Export clearance", "Dédouanement à l'exportation",
     "From lodgement of the export declaration to the exit of the goods.",
     "Du dépôt de la déclaration d'exportation à la sortie des marchandises.", _CLEARANCE_STEPS),
    ("transit", "Transit and economic regimes", "Transit et régimes économiques",
     "Goods moving or stored under duty suspension.", "Marchandises circulant ou stockées en suspension de droits.",
     [("guarantee", "Guarantee and opening", "Garantie et ouverture", "broker, transit office"),
      ("movement", "Movement and escort", "Acheminement et escorte", "escort, carrier"),
      ("discharge", "Discharge (apurement)", "Apurement", "office of destination"),
      ("suspension", "Goods under suspension (warehouse, temporary admission)",
       "Marchandises en suspension (entrepôt, admission temporaire)", "regime officer, operator")]),
    ("pca", "Post-clearance audit", "Contrôle a posteriori",
     "Audit of traders' records after release.", "Contrôle des écritures des opérateurs après mainlevée.",
     [("selection", "Selection of audits", "Sélection des contrôles", "PCA unit, risk management"),
      ("fieldwork", "Audit fieldwork", "Contrôle sur place", "auditor"),
      ("closing", "Findings and closure", "Constats et clôture", "head of PCA, litigation unit")]),
    ("exemptions", "Exemptions", "Exonérations",
     "Duty exemptions and reliefs granted on request.", "Exonérations et franchises accordées sur demande.",
     [("request", "Request and eligibility", "Demande et éligibilité", "applicant, exemptions unit"),
      ("decision", "Decision", "Décision", "director, exemptions unit"),
      ("monitoring", "Use of exempted goods", "Suivi de l'usage des biens exonérés", "PCA unit")]),
    ("hr", "HR postings", "Affectations du personnel",
     "Postings, rotation and promotion of staff.", "Affectations, rotation et promotion du personnel.",
     [("vacancy", "Vacancy and call", "Vacance et appel", "HR"),
      ("posting", "Posting decision", "Décision d'affectation", "HR, management"),
      ("tenure", "Tenure in vulnerable posts", "Durée en poste sensible", "HR, integrity unit")]),
    ("procurement", "Procurement", "Marchés publics",
     "Purchases of goods, works and services by Customs.", "Achats de biens, travaux et services par la douane.",
     [("needs", "Needs and specifications", "Besoins et spécifications", "requesting unit"),
      ("tender", "Tender", "Appel d'offres", "procurement unit"),
      ("award", "Evaluation and award", "Évaluation et attribution", "evaluation committee"),
      ("contract", "Contract execution", "Exécution du contrat", "contract manager, finance")]),
]  # fmt: skip

# Typical risks (domain doc §3.5). Ratings are suggestions [D] to be argued in workshops.
# step key, title_en, title_fr, position, scheme_en, harms, indicators, likelihood, impact
TYPICAL_RISKS: list[dict[str, Any]] = [
    {"step": "import/registration", "title_en": "Registration delayed until a payment is made",
     "title_fr": "Enregistrement retardé jusqu'au paiement d'une somme", "position": "Registration officer",
     "scheme": "The declaration is held back or refused until a 'facilitation fee' is paid; queue-jumping for payers.",
     "harms": ["trade", "trust", "costs"], "indicators": ["TF2"], "l": 3, "i": 2},
    {"step": "import/assignment", "title_en": "Manipulated assignment of declarations to officers",
     "title_fr": "Affectation manipulée des déclarations aux agents", "position": "Head of section",
     "scheme": "A broker obtains that his declarations go to a complicit inspector, defeating random assignment.",
     "harms": ["revenue", "trust"], "indicators": ["CP1"], "l": 3, "i": 4},
    {"step": "import/selectivity", "title_en": "Channel downgraded from red or yellow to green",
     "title_fr": "Circuit rétrogradé du rouge ou jaune au vert", "position": "Risk officer, head of office",
     "scheme": "An officer overrides the selectivity result so that risky declarations escape control; targeting criteria leak.",
     "harms": ["revenue", "security"], "indicators": ["BP1", "BP1_CONC"], "l": 4, "i": 4},
    {"step": "import/documentary", "title_en": "Undervaluation or misclassification accepted",
     "title_fr": "Sous-évaluation ou fausse classification acceptée", "position": "Verification / valuation officer",
     "scheme": "Declared values below reference values, wrong tariff lines or false origin are accepted against payment.",
     "harms": ["revenue", "trade"], "indicators": ["BP6", "BP5"], "l": 4, "i": 5},
    {"step": "import/examination", "title_en": "Examination not performed or findings not recorded",
     "title_fr": "Visite non effectuée ou constats non consignés", "position": "Examining officer",
     "scheme": "Cargo is 'protected': red-channel goods released without inspection or with a clean report.",
     "harms": ["revenue", "security"], "indicators": ["RED_NO_INSP", "BP2"], "l": 3, "i": 5},
    {"step": "import/assessment", "title_en": "Offences under-recorded or settled for low fines",
     "title_fr": "Infractions sous-déclarées ou transigées à bas prix", "position": "Litigation officer",
     "scheme": "Detected offences are not recorded, or settled for penalties far below the norm.",
     "harms": ["revenue", "compliance"], "indicators": ["PEN_LOW", "BP4"], "l": 3, "i": 3},
    {"step": "import/payment", "title_en": "Diversion of cash payments", "title_fr": "Détournement de paiements en espèces",
     "position": "Cashier", "scheme": "Cash collected at the office is not (fully) paid in; receipts are forged or reused.",
     "harms": ["revenue", "trust"], "indicators": [], "l": 2, "i": 3},
    {"step": "import/release", "title_en": "Release without payment or clearance",
     "title_fr": "Mainlevée sans paiement ni dédouanement", "position": "Gate officer",
     "scheme": "Goods leave before duties are paid or before release is granted; extortion at the gate.",
     "harms": ["revenue", "security"], "indicators": ["REL_BEFORE_PAY", "AFTER_HOURS"], "l": 2, "i": 4},
    {"step": "transit/discharge", "title_en": "Transit not discharged, goods diverted",
     "title_fr": "Transit non apuré, marchandises détournées", "position": "Office of destination",
     "scheme": "Transit documents are discharged without the goods arriving; goods are sold on the domestic market.",
     "harms": ["revenue", "security"], "indicators": [], "l": 3, "i": 4},
    {"step": "pca/selection", "title_en": "Audit selection influenced, files closed",
     "title_fr": "Sélection des contrôles influencée, dossiers classés", "position": "PCA auditor",
     "scheme": "Traders pay to stay out of the audit plan or to have findings dropped.",
     "harms": ["revenue", "compliance"], "indicators": [], "l": 2, "i": 3},
    {"step": "exemptions/decision", "title_en": "Discretionary exemptions granted for payment",
     "title_fr": "Exonérations discrétionnaires accordées contre paiement", "position": "Exemptions unit",
     "scheme": "Exemptions are granted to ineligible applicants in exchange for a bribe.",
     "harms": ["revenue", "trade"], "indicators": [], "l": 3, "i": 4},
    {"step": "hr/posting", "title_en": "Paying for lucrative postings", "title_fr": "Achat des affectations lucratives",
     "position": "HR, management", "scheme": "Officers pay to be posted to lucrative offices and stay there for years.",
     "harms": ["morale", "trust"], "indicators": [], "l": 3, "i": 3},
    {"step": "procurement/award", "title_en": "Rigged tender evaluation", "title_fr": "Évaluation des offres truquée",
     "position": "Evaluation committee", "scheme": "Specifications or scoring tailored to a favoured bidder; kickbacks.",
     "harms": ["costs", "trust"], "indicators": [], "l": 2, "i": 3},
]  # fmt: skip

# Typical-risk French schemes, kept apart so the table above stays readable.
TYPICAL_SCHEMES_FR = {
    "import/registration": "La déclaration est bloquée ou refusée jusqu'au paiement de « frais de facilitation » ; passe-droits pour ceux qui paient.",
    "import/assignment": "Un commissionnaire obtient que ses déclarations aillent à un inspecteur complice, contournant l'affectation aléatoire.",
    "import/selectivity": "Un agent modifie le résultat de la sélectivité pour que des déclarations à risque échappent au contrôle ; fuite des critères de ciblage.",
    "import/documentary": "Des valeurs inférieures aux valeurs de référence, de fausses positions tarifaires ou une fausse origine sont acceptées contre paiement.",
    "import/examination": "La cargaison est « protégée » : marchandises du circuit rouge libérées sans visite ou avec un procès-verbal vierge.",
    "import/assessment": "Des infractions constatées ne sont pas consignées, ou sont transigées pour des amendes très inférieures à la norme.",
    "import/payment": "Les espèces encaissées au bureau ne sont pas (entièrement) reversées ; reçus falsifiés ou réutilisés.",
    "import/release": "Les marchandises sortent avant le paiement des droits ou la mainlevée ; extorsion à la sortie.",
    "transit/discharge": "Les documents de transit sont apurés sans arrivée des marchandises, vendues sur le marché intérieur.",
    "pca/selection": "Des opérateurs paient pour rester hors du programme de contrôle ou faire abandonner les constats.",
    "exemptions/decision": "Des exonérations sont accordées à des demandeurs non éligibles contre un pot-de-vin.",
    "hr/posting": "Des agents paient pour être affectés dans des bureaux lucratifs et y rester des années.",
    "procurement/award": "Spécifications ou notation taillées pour un soumissionnaire favorisé ; rétrocommissions.",
}  # fmt: skip

# Typical-risk French names of the position exposed, by step like the schemes above.
TYPICAL_POSITIONS_FR = {
    "import/registration": "Agent d'enregistrement",
    "import/assignment": "Chef de section",
    "import/selectivity": "Agent chargé du risque, chef de bureau",
    "import/documentary": "Vérificateur / agent chargé de la valeur",
    "import/examination": "Agent chargé de la visite",
    "import/assessment": "Agent du contentieux",
    "import/payment": "Caissier",
    "import/release": "Agent à la sortie",
    "transit/discharge": "Bureau de destination",
    "pca/selection": "Auditeur du contrôle a posteriori",
    "exemptions/decision": "Service des exonérations",
    "hr/posting": "Ressources humaines, direction",
    "procurement/award": "Commission d'évaluation",
}  # fmt: skip


def typical_risk_text(item: dict[str, Any], language: str) -> dict[str, str]:
    """The title, position and scheme of a typical risk in `language` (English unless French)."""
    if language.startswith("fr"):
        step = item["step"]
        return {
            "title": item["title_fr"],
            "position": TYPICAL_POSITIONS_FR[step],
            "scheme": TYPICAL_SCHEMES_FR[step],
        }
    return {"title": item["title_en"], "position": item["position"], "scheme": item["scheme"]}


def _indicator_lead_kinds() -> dict[str, tuple[str, ...]]:
    """Engine indicator -> kinds of leads in signals.csv that measure the same behaviour, from the
    engine's catalogue of lead kinds (``LeadKind.indicator``), plus two links it does not hold:
    BP1_CONC (how concentrated overrides are) is evidenced by the same override leads as BP1, and
    leads of analyses made before the catalogue still carry the ``benford`` kind."""
    from arusha.leads.kinds import KINDS

    found: dict[str, list[str]] = {}
    for kind in KINDS:
        if kind.indicator:
            found.setdefault(kind.indicator, []).append(kind.code)
    found.setdefault("BP1_CONC", []).extend(found.get("BP1", []))
    found.setdefault("BENFORD_MAD", []).append("benford")
    return {indicator: tuple(kinds) for indicator, kinds in found.items()}


INDICATOR_LEAD_KINDS: dict[str, tuple[str, ...]] = _indicator_lead_kinds()


def seed_reference(apps: Any) -> None:
    """Create the default scales, bands and processes if missing (used by the data migration).

    Takes the migration's `apps` so it works on the historical models; existing rows are left
    untouched so an edited catalogue is never overwritten.
    """
    ScaleLevel = apps.get_model("risks", "ScaleLevel")
    Band = apps.get_model("risks", "Band")
    Process = apps.get_model("risks", "Process")
    ProcessStep = apps.get_model("risks", "ProcessStep")
    for axis, value, label_en, label_fr, def_en, def_fr in SCALE_LEVELS:
        ScaleLevel.objects.get_or_create(
            axis=axis,
            value=value,
            defaults={
                "label_en": label_en,
                "label_fr": label_fr,
                "definition_en": def_en,
                "definition_fr": def_fr,
            },
        )
    for code, label_en, label_fr, low, high, color in BANDS:
        Band.objects.get_or_create(
            code=code,
            defaults={
                "label_en": label_en,
                "label_fr": label_fr,
                "min_score": low,
                "max_score": high,
                "color": color,
            },
        )
    for order, (code, name_en, name_fr, desc_en, desc_fr, steps) in enumerate(PROCESSES):
        process, created = Process.objects.get_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_fr": name_fr,
                "description_en": desc_en,
                "description_fr": desc_fr,
                "order": order,
            },
        )
        if created:
            for step_order, (step_code, step_en, step_fr, actors) in enumerate(steps):
                ProcessStep.objects.create(
                    process=process,
                    code=step_code,
                    order=step_order,
                    name_en=step_en,
                    name_fr=step_fr,
                    actors=actors,
                )
