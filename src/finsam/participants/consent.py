"""Digital consent given on the participant's own phone.

Before anything about the person is registered, the staff creates a ConsentRequest: a one-time
link (shown as a QR code) valid for 30 minutes. The participant opens it without logging in,
reads the consent text and answers. The registration then refers to the answered request, which
supplies the consent date and text version. Only a hash of the link's token is stored.

The consent text is built here, once, for every place that shows it (registration form, phone
page, detail page). It names everything stored about the participant: the list is derived from
the Participation model itself (every field and child table must have a description in
STORED_DATA or be declared technical in NOT_ABOUT_THE_PERSON; tests/test_consent.py fails
otherwise), the personuppgiftsansvarig of the förbund or insats with contact, the purpose, the
förbund's retention time and the right to withdraw. Its version is the text's own: the base
version followed by a digest of the text, and the text of every version used is kept
(ConsentText), so a stored version always says exactly what the participant read.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.utils import timezone
from django_scopes import scopes_disabled

from .models import ConsentRequest, ConsentText, Participation

# Raised when the wording below changes; the digest after it follows every other change.
CONSENT_TEXT_VERSION = "2026-2"

# What the text says about each stored field of a participation (and its child tables), in the
# participant's words. Several fields may share one description (it is shown once).
_BIRTH = "födelseår och födelsemånad, och därmed min ålder när jag började"
_CONSENT = "när och hur jag samtyckte, och vilken version av den här texten jag läste"
_SUPPORT = "hur jag försörjde mig när jag började och när jag slutade (till exempel lön, sjukpenning eller försörjningsstöd)"
STORED_DATA = {
    "intervention": "vilken insats jag deltar i",
    "start_date": "när mitt deltagande började och slutade",
    "end_date": "när mitt deltagande började och slutade",
    "reference": "personalens egen referens för mig (aldrig mitt namn)",
    "person_key": "en kod som räknas fram ur mitt personnummer och som inte går att räkna tillbaka till numret",
    "gender": "kön",
    "legal_gender": "juridiskt kön enligt personnumret",
    "birth_year": _BIRTH,
    "birth_month": _BIRTH,
    "age_at_start": _BIRTH,
    "consent_date": _CONSENT,
    "consent_form": _CONSENT,
    "consent_text_version": _CONSENT,
    "consent_request": _CONSENT,
    "referrer": "vem som anmälde mig till insatsen (till exempel Arbetsförmedlingen, Försäkringskassan eller kommunen)",
    "referring_unit": "vilken enhet som anmälde mig (till exempel socialtjänsten, psykiatrin eller vårdcentralen)",
    "target_group_records": "vilka målgrupper jag hör till (till exempel långtidssjukskrivna, personer med "
                            "funktionsnedsättning eller personer med erfarenhet av migration)",
    "education": "min högsta avslutade utbildning",
    "time_on_support": "hur länge jag har haft offentlig försörjning",
    "time_without_work": "hur länge jag har varit utan arbete",
    "support": _SUPPORT,
    "support_at_entry_and_exit": _SUPPORT,
    "municipality": "vilken kommun jag är folkbokförd i",
    "born_abroad": "om jag är född utomlands",
    "impairment": "om jag har en funktionsnedsättning som påverkar min förmåga att arbeta eller studera",
    "violence_questions": "om personalen har ställt frågor till mig om våld i nära relationer (bara om frågorna "
                          "ställdes, aldrig mina svar)",
    "exit_reason": "varför mitt deltagande avslutades (till exempel arbete, studier eller sjukdom)",
    "changes": "vem i personalen som har registrerat eller ändrat uppgifterna, och när",
}
# Fields that say nothing about the person: bookkeeping of the row itself.
NOT_ABOUT_THE_PERSON = {"id", "association", "anonymous", "pseudonymous", "deidentified_at", "version", "created_at", "updated_at"}
# Special categories (GDPR art. 9) and other sensitive answers, named once more so that the
# participant knows what the explicit consent is for.
SENSITIVE = ("impairment", "target_group_records", "support", "born_abroad", "violence_questions")
_SENSITIVE_WORDS = {
    "impairment": "funktionsnedsättning",
    "target_group_records": "målgrupp",
    "support": "försörjning (till exempel sjukpenning)",
    "born_abroad": "född utomlands",
    "violence_questions": "frågor om våld i nära relationer",
}


def stored_field_names():
    """Every field and child table of a participation, from the model (so none is forgotten)."""
    return [f.name for f in Participation._meta.get_fields()]


def stored_descriptions():
    """The descriptions of everything stored, in the model's order, each once. A field without a
    description is named by its verbose name rather than left out (the test asks for a proper one)."""
    result = []
    for field in Participation._meta.get_fields():
        if field.name in NOT_ABOUT_THE_PERSON:
            continue
        text = STORED_DATA.get(field.name) or str(getattr(field, "verbose_name", field.name))
        if text not in result:
            result.append(text)
    return result


@dataclass
class Text:
    version: str
    before: list  # paragraphs before the list of stored data
    items: list  # what is stored
    after: list  # paragraphs after it

    def plain(self):
        return "\n\n".join([*self.before, "\n".join(f"- {item}" for item in self.items), *self.after])

    @classmethod
    def from_plain(cls, version, plain):
        """A kept text (ConsentText.text) back in the shape the template shows."""
        blocks = plain.split("\n\n")
        lists = [i for i, b in enumerate(blocks) if b.startswith("- ")]
        if not lists:
            return cls(version, blocks, [], [])
        at = lists[0]
        return cls(version, blocks[:at], [line[2:] for line in blocks[at].split("\n")], blocks[at + 1:])


def controller(intervention):
    """(name, contact) of the personuppgiftsansvarig; decided by the förbund's privacy model in
    ``Intervention.personal_data_controller``. A change of controller changes the text and so its version."""
    return intervention.personal_data_controller()


def current_text(intervention):
    """The consent text for ``intervention`` as it reads now (nothing is written)."""
    association = intervention.association
    name, contact = controller(intervention)
    years = association.retention_years
    sensitive = ", ".join(_SENSITIVE_WORDS[f] for f in SENSITIVE)
    before = [
        f"{association.name} följer upp sina insatser för att veta om de hjälper. Syftet är statistik om "
        f"insatsen {intervention.name} och förbundets andra insatser: hur många som deltar, vilka de är som grupp "
        "och hur det går för dem efteråt. Statistiken visar aldrig enskilda personer. Personalen i insatsen "
        "använder uppgifterna också för att hålla registreringen rätt.",
        f"Personuppgiftsansvarig är {name}." + (f" Kontakt: {contact}." if contact else ""),
        f"Jag samtycker till att {association.name} registrerar följande uppgifter om mitt deltagande:",
    ]
    after = [
        f"Några av uppgifterna är känsliga, eftersom de kan säga något om min hälsa eller min bakgrund: "
        f"{sensitive}. Jag behöver inte svara på de frågorna.",
        "Mitt namn registreras inte. Mitt personnummer sparas inte, bara koden som inte går att räkna tillbaka.",
        f"Uppgifterna som kan kopplas till mig tas bort {years} år efter att mitt senaste deltagande i förbundets "
        "insatser har avslutats. Därefter finns bara statistik kvar som inte går att koppla till mig.",
        "Jag kan när som helst återkalla mitt samtycke, genom att säga det till personalen i insatsen eller till "
        "den personuppgiftsansvarige. Då görs alla mina deltaganden i förbundets insatser anonyma: koden och alla "
        "uppgifter utom kön och datum tas bort. Att inte samtycka eller att återkalla samtycket påverkar inte mitt "
        "deltagande. Jag har rätt att få veta vilka uppgifter som finns om mig, att få fel rättade och att klaga "
        "hos Integritetsskyddsmyndigheten (IMY).",
    ]
    text = Text("", before, stored_descriptions(), after)
    digest = hashlib.sha256(text.plain().encode()).hexdigest()[:8]
    text.version = f"{CONSENT_TEXT_VERSION}.{digest}"
    return text


def record(intervention):
    """The current text, kept under its version so that the version can always be read back."""
    text = current_text(intervention)
    ConsentText.objects.get_or_create(
        association=intervention.association, version=text.version, defaults={"text": text.plain()}
    )
    return text


def stored_text(association, version):
    """The Text a participant read under ``version``, or None (versions before 2026-2 were not kept)."""
    if not version:
        return None
    plain = ConsentText.objects.filter(association=association, version=version).values_list("text", flat=True).first()
    return None if plain is None else Text.from_plain(version, plain)
LINK_LIFETIME = datetime.timedelta(minutes=30)
# How long after the answer the registration may use it.
USE_WITHIN = datetime.timedelta(hours=24)


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_request(intervention, user):
    """Returns (request, token); the token exists only in the link given to the participant."""
    token = secrets.token_urlsafe(32)
    request = ConsentRequest.objects.create(
        association=intervention.association, intervention=intervention, token_hash=_hash(token),
        text_version=record(intervention).version, created_by=user, expires_at=timezone.now() + LINK_LIFETIME,
    )
    return request, token


def find_open(token):
    """The unanswered, unexpired request for ``token``, or None. The participant has no login, so
    the secret token is what names the förbund: looked up across every förbund, the one query of the
    consent page outside the förbund's scope (the page runs the rest inside it)."""
    with scopes_disabled():
        return ConsentRequest.objects.filter(
            token_hash=_hash(token), answered_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("intervention", "association").first()


def answer(request, consented):
    updated = ConsentRequest.objects.filter(pk=request.pk, answered_at__isnull=True).update(
        answered_at=timezone.now(), consented=consented
    )
    return bool(updated)


def usable(intervention, request_id):
    """The request ``request_id`` when it can back a registration in ``intervention``: answered
    yes, not used, answered within USE_WITHIN."""
    if not request_id:
        return None
    return ConsentRequest.objects.filter(
        pk=request_id, intervention=intervention, consented=True, participation__isnull=True,
        answered_at__gt=timezone.now() - USE_WITHIN,
    ).first()


class ConsentAlreadyUsed(Exception):
    pass


def mark_used(request, participation):
    """Tie the answered request to the participation it backs; refuses a second use."""
    if not ConsentRequest.objects.filter(pk=request.pk, participation__isnull=True).update(participation=participation):
        raise ConsentAlreadyUsed


def qr_svg_data_uri(url):
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)
