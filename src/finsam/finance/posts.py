"""The finance code list of shared/spec/finance.md, the only place it is spelled out: posts (code,
Swedish label, side, group), the groups, the budget types. Every import, table and form reads it."""

from dataclasses import dataclass

INCOME, COST, ASSET, EQUITY, LIABILITY = "income", "cost", "asset", "equity", "liability"
SIDES = (INCOME, COST, ASSET, EQUITY, LIABILITY)
# Sides booked on the credit side in a ledger (amounts as booked are negative there).
CREDIT_SIDES = (INCOME, EQUITY, LIABILITY)

# Groups of the cost (and income) lines; "insats" = the line's insats kind decides.
MEDLEMSBIDRAG, INDIVID, STRUKTUR, KANSLI, OVRIGT = "medlemsbidrag", "individ", "struktur", "kansli", "ovrigt"
COST_GROUPS = (INDIVID, STRUKTUR, KANSLI, OVRIGT)
GROUP_LABELS = {
    MEDLEMSBIDRAG: "Medlemsbidrag",
    INDIVID: "Individinriktade insatser",
    STRUKTUR: "Strukturinriktade insatser",
    KANSLI: "Kansli och administration",
    OVRIGT: "Övrigt (vidarefakturering, finansiella poster, intäkter utan insats)",
}
GROUP_SUM_LABELS = {
    INDIVID: "Summa individinriktade insatser",
    STRUKTUR: "Summa strukturinriktade insatser",
    KANSLI: "Summa kansli och administration",
    OVRIGT: "Summa övriga kostnader",
}
# An insats's kind -> the group of its lines.
KIND_GROUP = {"individual": INDIVID, "structural": STRUKTUR}
GROUP_KIND = {INDIVID: "individual", STRUKTUR: "structural"}


@dataclass(frozen=True)
class Post:
    code: str
    label: str
    side: str
    group: str = ""  # default group ("" for balance posts and the input-only "insatser")
    member: bool = False  # needs a member (medlemsbidrag), and only it may have one
    intervention: str = "no"  # "no", "may" (income: external funding; every cost post), "must"
    changeable_group: bool = False  # post_groups may move it (struktur*/kansli* of the spec)
    input_only: bool = False  # "insatser": becomes insatser_individ/_struktur by the insats's kind
    financial: bool = False  # financial posts (five_year leaves them out, income statement apart)
    pass_through: bool = False  # re-invoiced costs: in totals on both sides, never in cost shares


POSTS = (
    Post("medlemsbidrag", "Medlemsbidrag", INCOME, MEDLEMSBIDRAG, member=True),
    Post("projektbidrag", "Projektbidrag (ESF m.fl.)", INCOME, OVRIGT, intervention="may"),
    Post("ovriga_intakter", "Övriga intäkter", INCOME, OVRIGT, intervention="may"),
    Post("vidarefakturerat_intakt", "Vidarefakturerade kostnader, intäkt", INCOME, OVRIGT, pass_through=True),
    Post("finansiella_intakter", "Finansiella intäkter", INCOME, OVRIGT, financial=True),
    Post("insatser", "Insatser (fördelas efter insatsens typ)", COST, "", intervention="must", input_only=True),
    Post("insatser_individ", "Finansiering individinriktade insatser", COST, INDIVID, intervention="may"),
    Post("insatser_struktur", "Finansiering strukturinriktade insatser", COST, STRUKTUR, intervention="may"),
    Post("utvardering", "Uppföljning och utvärdering", COST, STRUKTUR, intervention="may", changeable_group=True),
    Post("kommunikation", "Kommunikation och information", COST, STRUKTUR, intervention="may",
         changeable_group=True),
    Post("styrelse", "Styrelse", COST, KANSLI, intervention="may", changeable_group=True),
    Post("revision", "Revision", COST, KANSLI, intervention="may", changeable_group=True),
    Post("personal", "Personalkostnader kansli", COST, KANSLI, intervention="may", changeable_group=True),
    Post("lokaler", "Lokaler", COST, KANSLI, intervention="may", changeable_group=True),
    Post("kansli_ovrigt", "Övriga kostnader kansli", COST, KANSLI, intervention="may", changeable_group=True),
    Post("avskrivningar", "Avskrivningar", COST, KANSLI, intervention="may", changeable_group=True),
    Post("vidarefakturerat_kostnad", "Vidarefakturerade kostnader", COST, OVRIGT, intervention="may",
         pass_through=True),
    Post("finansiella_kostnader", "Finansiella kostnader", COST, OVRIGT, intervention="may", financial=True),
    Post("anlaggningstillgangar", "Anläggningstillgångar", ASSET),
    Post("fordringar", "Fordringar", ASSET),
    Post("kortfristiga_placeringar", "Kortfristiga placeringar", ASSET),
    Post("kassa_bank", "Kassa och bank", ASSET),
    Post("eget_kapital", "Eget kapital", EQUITY),
    Post("avsattningar", "Avsättningar", LIABILITY),
    Post("langfristiga_skulder", "Långfristiga skulder", LIABILITY),
    Post("kortfristiga_skulder", "Kortfristiga skulder", LIABILITY),
)
BY_CODE = {p.code: p for p in POSTS}
CODES = tuple(BY_CODE)
INCOME_POSTS = tuple(p.code for p in POSTS if p.side == INCOME)
COST_POSTS = tuple(p.code for p in POSTS if p.side == COST and not p.input_only)
BALANCE_POSTS = tuple(p.code for p in POSTS if p.side in (ASSET, EQUITY, LIABILITY))
ASSET_POSTS = tuple(p.code for p in POSTS if p.side == ASSET)
# Posts a budget may hold: every income and cost post and, as the planned opening equity, eget_kapital.
BUDGET_POSTS = tuple(p.code for p in POSTS if p.side in (INCOME, COST)) + ("eget_kapital",)
CHANGEABLE_GROUP_POSTS = tuple(p.code for p in POSTS if p.changeable_group)
POST_CHOICES = [(p.code, p.label) for p in POSTS]

BUDGET, PLAN, PROGNOS = "budget", "plan", "prognos"
BUDGET_TYPES = {BUDGET: "Budget", PLAN: "Plan", PROGNOS: "Prognos"}
BUDGET_TYPE_CHOICES = list(BUDGET_TYPES.items())

DISPLAY_UNITS = {"tkr": "Tusentals kronor (tkr)", "kr": "Kronor (kr)"}


def label(code):
    post = BY_CODE.get(code)
    return post.label if post else code


def side(code):
    return BY_CODE[code].side


def carries_intervention(code):
    return BY_CODE[code].intervention != "no"


def to_post_side(code, booked):
    """An amount as booked (debit +, credit −) on its post's side (income, equity, liabilities +)."""
    return -booked if BY_CODE[code].side in CREDIT_SIDES else booked


def to_booked(code, amount):
    return -amount if BY_CODE[code].side in CREDIT_SIDES else amount


def resolve_post(code, kind):
    """The stored post of an input line: ``insatser`` becomes ``insatser_individ``/``_struktur`` by
    its insats's kind (``kind`` "individual"/"structural")."""
    if code == "insatser":
        return "insatser_individ" if kind == "individual" else "insatser_struktur"
    return code
