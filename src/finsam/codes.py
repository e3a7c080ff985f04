"""The code lists of ``shared/spec/variables.md``: the one place they are spelled out.

Codes are stable identifiers (files, JSON, database); labels are what users read. Forms, import
validation, the Excel template, reports and the JSON all read these lists from here.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    group: str = ""  # e.g. the report group of an exit reason


@dataclass(frozen=True)
class CodeList:
    name: str
    items: tuple[Code, ...]
    _by_key: dict = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        index = {}
        for item in self.items:
            index[normalise(item.code)] = item
            index.setdefault(normalise(item.label), item)
        object.__setattr__(self, "_by_key", index)

    @property
    def codes(self):
        return [i.code for i in self.items]

    @property
    def choices(self):
        return [(i.code, i.label) for i in self.items]

    def label(self, code):
        item = self._by_key.get(normalise(code))
        return item.label if item else code

    def lookup(self, text):
        """The code for ``text`` given as a code or a label (case-insensitive), else None."""
        item = self._by_key.get(normalise(text))
        return item.code if item else None

    def __contains__(self, code):
        return code in self.codes

    def __iter__(self):
        return iter(self.items)


def normalise(text):
    return str(text).strip().casefold()


def _list(name, *rows):
    return CodeList(name, tuple(Code(*row) for row in rows))


YES_NO = _list("ja/nej", ("ja", "Ja"), ("nej", "Nej"))
YES_NO_UNKNOWN = _list("ja/nej/uppgift saknas", ("ja", "Ja"), ("nej", "Nej"), ("uppgift_saknas", "Uppgift saknas"))

GENDER = _list(
    "kön",
    ("kvinna", "Kvinna"),
    ("man", "Man"),
    ("annat", "Annat"),
    ("ej_angivet", "Ej angivet"),
)
# Report columns: annat and ej_angivet merge into one.
GENDER_COLUMNS = _list(
    "könskolumner",
    ("kvinna", "Kvinnor"),
    ("man", "Män"),
    ("annat_ej_angivet", "Annat/ej angivet"),
    ("totalt", "Totalt"),
)

# How a participation is registered (issue 10): with an identity number, pseudonymously (every
# variable, the förbund's referens instead of the number) or anonymously (counts only).
PARTICIPATION_KIND = _list(
    "registreringssätt",
    ("identified", "Med personnummer"),
    ("pseudonymous", "Pseudonym (utan personnummer)"),
    ("anonymous", "Anonym"),
)

CONSENT_FORM = _list("samtyckesform", ("digitalt", "Digitalt"), ("papper", "Papper"))

# Members of an association. Municipalities are "kommun:<SCB kommunkod>".
MEMBER_KIND = _list(
    "medlem",
    ("fk", "Försäkringskassan"),
    ("af", "Arbetsförmedlingen"),
    ("region", "Regionen"),
    ("kommun", "Kommun"),
)

REFERRER = _list(
    "anmälande part",
    ("af", "Arbetsförmedlingen"),
    ("fk", "Försäkringskassan"),
    ("region", "Regionen (hälso- och sjukvården)"),
    ("egenanmalan", "Egen anmälan"),
    ("annan", "Annan"),
    ("uppgift_saknas", "Uppgift saknas"),
)  # plus "kommun:<kod>" for member municipalities

REFERRING_UNIT = _list(
    "anmälande enhet",
    ("socialtjanst", "Socialtjänst / ekonomiskt bistånd"),
    ("arbetsmarknad", "Kommunal arbetsmarknadsenhet, t.ex. Jobbtorg"),
    ("skola_kaa", "Skola / kommunala aktivitetsansvaret"),
    ("lss", "LSS / daglig verksamhet"),
    ("psykiatri", "Psykiatri"),
    ("primarvard", "Primärvård / vårdcentral"),
    ("rehabkoordinator", "Rehabkoordinator"),
    ("annan_enhet", "Annan enhet"),
)

TARGET_GROUP = _list(
    "målgrupp",
    ("unga_vuxna", "Unga vuxna 16–29 år i behov av samordnat stöd"),
    ("vuxna", "Vuxna 30–64 år i behov av samordnat stöd"),
    ("migration", "Personer med erfarenhet av migration och flykt"),
    ("funktionsnedsattning", "Personer med funktionsnedsättning som påverkar arbets- eller studieförmågan"),
    ("langtidssjukskrivna", "Långtidssjukskrivna"),
    ("langtidsarbetslosa", "Långtidsarbetslösa"),
    ("ekonomiskt_bistand", "Personer med ekonomiskt bistånd"),
)

EDUCATION = _list(
    "utbildning",
    ("forgymnasial_kortare_an_9_ar", "Förgymnasial kortare än 9 år"),
    ("forgymnasial", "Förgymnasial, 9 (10) år (grundskola)"),
    ("gymnasial", "Gymnasial"),
    ("eftergymnasial_kortare_an_3_ar", "Eftergymnasial kortare än 3 år"),
    ("eftergymnasial_3_ar_eller_mer", "Eftergymnasial 3 år eller mer"),
    ("uppgift_saknas", "Uppgift saknas"),
)

TIME_BAND = _list(
    "tid",
    ("ingen", "Ingen"),
    ("under_1_ar", "Mindre än 1 år"),
    ("1_2_ar", "1 år till mindre än 2 år"),
    ("2_5_ar", "2 år till mindre än 5 år"),
    ("5_ar_eller_mer", "5 år eller mer"),
    ("uppgift_saknas", "Uppgift saknas"),
)

SUPPORT = _list(
    "försörjning",
    ("lon", "Lön (även subventionerad anställning)"),
    ("a_kassa", "Arbetslöshetsersättning (a-kassa)"),
    ("aktivitetsstod", "Aktivitetsstöd"),
    ("utvecklingsersattning", "Utvecklingsersättning"),
    ("etableringsersattning", "Etableringsersättning"),
    ("sjukpenning", "Sjuk- eller rehabiliteringspenning"),
    ("aktivitetsersattning", "Aktivitetsersättning"),
    ("sjukersattning", "Sjukersättning"),
    ("forsorjningsstod", "Försörjningsstöd (ekonomiskt bistånd)"),
    ("studiestod", "Studiestöd"),
    ("annan", "Annan försörjning"),
    ("ingen_offentlig", "Ingen offentlig försörjning"),
    ("uppgift_saknas", "Uppgift saknas"),
)
# Codes that state the absence of (knowledge of) public support: never combined with another.
SUPPORT_EXCLUSIVE = ("ingen_offentlig", "uppgift_saknas")

VIOLENCE_QUESTIONS = _list(
    "frågor om våld",
    ("stallda", "Ställda"),
    ("avbojda", "Avböjda"),
    ("ej_stallda", "Ej ställda"),
)

EXIT_REASON = _list(
    "avslutsorsak",
    ("arbete", "Arbete (osubventionerat)", "work"),
    ("arbete_subventionerat", "Arbete med stöd (subventionerad anställning)", "work"),
    ("studier", "Studier", "studies"),
    ("arbetssokande", "Aktivt arbetssökande", "job_seeking"),
    ("ordinarie_insats", "Till ordinarie arbetsförberedande insats hos en part", "further_measures"),
    ("fortsatt_rehabilitering", "Fortsatt rehabilitering (medicinsk eller social)", "further_measures"),
    ("sjukdom", "Sjukdom", "other"),
    ("flyttat", "Flyttat", "other"),
    ("avbrutit", "Avbrutit på egen begäran / avhopp", "other"),
    ("ovrigt", "Övrigt", "other"),
    ("okand", "Okänd", "other"),
    ("felregistrering", "Felregistrering", "excluded"),
)
EXIT_REASON_EXCLUDED = "felregistrering"

INTERVENTION_KIND = _list(
    "insatstyp",
    ("individual", "Individinriktad"),
    ("structural", "Strukturinriktad"),
)

INTERVENTION_STATUS = _list(
    "status",
    ("planned", "Planerad"),
    ("active", "Pågående"),
    ("ended", "Avslutad"),
)

GOAL_METRIC = _list(
    "målmått",
    ("new_count", "Antal nya deltagare"),
    ("current_count", "Antal aktuella deltagare"),
    ("share_women_new", "Andel kvinnor bland nya"),
    ("share_men_new", "Andel män bland nya"),
    ("share_work_or_study", "Andel till arbete eller studier"),
    ("share_work_study_or_further_measures", "Andel till arbete, studier eller vidare till ordinarie insatser"),
    ("manual", "Manuellt resultat"),
)  # plus "share_exit_reason:<code>"
