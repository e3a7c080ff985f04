"""The code lists of shared/spec/activities-and-goals.md, part A: the one place they are spelled
out (built-in activity kinds and measures; a förbund adds its own as rows, models.py)."""

from dataclasses import dataclass

from finsam.codes import _list

# Built-in kinds: (code, label, individual). An individual kind's counts are the persons the
# meetings were for: masked in publication like participant counts.
BUILTIN_KINDS = (
    ("seminarium", "Seminarium/webbinarium", False),
    ("kunskapsdialog", "Kunskapsdialog", False),
    ("dialogmote", "Dialogmöte", False),
    ("utbildning", "Utbildning", False),
    ("konferens", "Konferens/temadag", False),
    ("workshop", "Workshop", False),
    ("handledning", "Handledning/metodstöd", False),
    ("natverkstraff", "Nätverks- och erfarenhetsträff", False),
    ("projektledartraff", "Projektledarträff", False),
    ("informationstraff", "Informationsträff hos part", False),
    ("samverkansmote", "Samverkansmöte (lokal samverkansgrupp, forum)", False),
    ("styrgruppsmote", "Styrgruppsmöte", False),
    ("beredningsgruppsmote", "Beredningsgruppsmöte", False),
    ("styrelsemote", "Styrelsemöte", False),
    ("medlemssamrad", "Medlemssamråd", False),
    ("sip_mote", "SIP-möte", True),
    ("annat", "Annan aktivitet", False),
)

STATUS = _list("status", ("genomford", "Genomförd"), ("planerad", "Planerad"), ("installd", "Inställd"))
HELD = "genomford"
CANCELLED = "installd"

FORMAT = _list("format", ("fysiskt", "Fysiskt"), ("digitalt", "Digitalt"), ("hybrid", "Hybrid"))

# Audience and roles of attendees (per_roll adds "okand").
ROLES = _list(
    "roll",
    ("medarbetare", "Medarbetare hos medlemmarna"),
    ("chefer", "Chefer hos medlemmarna"),
    ("insatspersonal", "Personal i finansierade insatser"),
    ("fortroendevalda", "Styrelse och förtroendevalda"),
    ("invanare", "Personer i målgruppen"),
    ("civilsamhalle", "Civilsamhälle"),
    ("ovriga", "Övriga"),
)
UNKNOWN = ("okand", "Okänd")

# Organisers besides the förbund's member codes; organisations of attendees besides member codes.
ORGANISERS = _list("arrangör", ("forbundet", "Förbundet"), ("annat_forbund", "Annat samordningsförbund"),
                   ("annan", "Annan"))
ORGANISATIONS = _list("organisation", ("forbundet", "Förbundet"), ("annat_forbund", "Annat samordningsförbund"),
                      ("civilsamhalle", "Civilsamhälle"), ("annan", "Annan"), UNKNOWN)

RATINGS = _list("helhetsbetyg", ("1", "Mycket dåligt"), ("2", "Dåligt"), ("3", "Varken bra eller dåligt"),
                ("4", "Bra"), ("5", "Mycket bra"))
RECOMMEND_QUESTION = "Skulle du rekommendera aktiviteten till en kollega?"
RATING_QUESTION = "Vilket helhetsbetyg ger du aktiviteten?"

SUMMA, SENASTE, HELPERIOD = "summa", "senaste", "helperiod"
AGGREGATION = _list("aggregering", (SUMMA, "Summa över perioden"), (SENASTE, "Senaste värdet i perioden"),
                    (HELPERIOD, "Värde för exakt perioden"))

BUILTIN_MEASURES = (
    ("nyhetsbrev_utskick", "Utskickade nyhetsbrev", SUMMA),
    ("webb_besok", "Besök på webbplatsen", SUMMA),
    ("linkedin_inlagg", "Inlägg på LinkedIn", SUMMA),
    ("insatskatalog_sessioner", "Sessioner i insatskatalogen", SUMMA),
    ("nyhetsbrev_prenumeranter", "Prenumeranter på nyhetsbrevet", SENASTE),
    ("linkedin_foljare", "Följare på LinkedIn", SENASTE),
    ("insatskatalog_insatser", "Publicerade insatser i insatskatalogen", SENASTE),
    ("arbetstraning_anordnare", "Anordnare av arbetsträning", SENASTE),
    ("arbetstraning_platser", "Arbetsträningsplatser", SENASTE),
    ("webb_unika_besokare", "Unika besökare på webbplatsen", HELPERIOD),
    ("insatskatalog_anvandare", "Unika användare av insatskatalogen", HELPERIOD),
)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    individual: bool
    builtin: bool = True


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    aggregation: str
    builtin: bool = True


def kinds(association):
    """{code: Kind}: the built-in kinds, then the förbund's own (an own kind never replaces a
    built-in one: the förbundsfil refuses that code)."""
    result = {code: Kind(code, label, individual) for code, label, individual in BUILTIN_KINDS}
    if association is not None and association.pk:
        for own in association.activity_kinds.all().order_by("label"):
            result.setdefault(own.code, Kind(own.code, own.label, own.individual, builtin=False))
    return result


def measures(association):
    """{code: Measure}: the built-in measures, then the förbund's own."""
    result = {code: Measure(code, label, aggregation) for code, label, aggregation in BUILTIN_MEASURES}
    if association is not None and association.pk:
        for own in association.measure_definitions.all().order_by("label"):
            result.setdefault(own.code, Measure(own.code, own.label, own.aggregation, builtin=False))
    return result
