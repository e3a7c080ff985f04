"""The services of indicator surveys: what the respondent pages, round pages, paper entry, imports
and commands call (shared/spec/surveys.md). Every function runs inside the förbund's scope.

Stable interface (the web pages build on it; a change is announced with ``SURVEYS-API-CHANGE:``):

- ``shown_questions(round, language=None)``: the questions of the round's set version asked to its
  group, in set order (``language`` only checks that each has a text in it).
- ``languages_offered(round)``: the languages in which every shown question, step label, *vet ej*
  label and page text exists, in the set's order.
- ``ui_text(round, language, key)``: a page text (the set's ``ui`` over the system's).
- ``record_response(round, *, channel, language, answers, code=None)``: validate and write one
  response in one transaction (``SurveyError`` with a Swedish message otherwise).
- ``issue_codes(round, n)``: n new single-use codes, shown once (only keyed hashes are stored);
  ``new_codes`` and ``store_codes`` are its two halves, for a caller that stores the codes only once
  the file showing them exists (the code-slip page).
- ``code_counts(rounds)``: {round id: (codes issued, codes used)}.
- ``code_valid(round, code)``: whether a code would be accepted now (nothing is written).
- ``open_round``, ``close_round``, ``reopen_round``.
- ``free_text_answers(round_or_rounds, question)``: the texts in random order, only for rounds with
  at least min n responses.
- ``population(round)``: the round's population (None: unknown).
- ``group_codes(association)``, ``group_label(association, code)``.
"""

import hashlib
import hmac
import random
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from finsam.core.identifiers import IDENTITY_NUMBER_MESSAGE, contains_identity_number
from finsam.tenancy.models import mark_data_changed

from . import codes
from .errors import CodeRefused, SurveyError
from .models import Answer, Question, QuestionSet, RespondentGroup, Response, Round, SurveyCode

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 8
MAX_CODES = 10_000
MAX_FREE_TEXT = 2000


# --- groups ---------------------------------------------------------------------------------------

def group_codes(association):
    """Respondent group codes in table order: the built-in six, then the förbund's sets' own."""
    own = RespondentGroup.objects.filter(association=association).order_by("id").values_list("code", flat=True)
    return [*codes.RESPONDENT_GROUP.codes, *own]


def group_labels(association):
    own = RespondentGroup.objects.filter(association=association).order_by("id").values_list("code", "label")
    return dict([*codes.RESPONDENT_GROUP.choices, *own])


def group_label(association, code):
    return group_labels(association).get(code, code)


# --- what a round shows -----------------------------------------------------------------------------

def shown_questions(round, language=None):
    """The questions of the round's version asked to its group, in set order. With ``language``,
    a SurveyError when the language is not offered for them."""
    questions = [q for q in Question.objects.filter(question_set_id=round.question_set_id)
                 .select_related("scale", "indicator").order_by("position") if round.respondent_group in q.groups]
    if language is not None and language not in languages_offered(round, questions):
        raise SurveyError(f"Enkäten finns inte på språket \"{language}\".")
    return questions


def _page_text(question_set, language, key):
    return (question_set.ui.get(language) or {}).get(key) or codes.SYSTEM_UI.get(language, {}).get(key)


def languages_offered(round, questions=None):
    """The languages in which everything the round shows exists, in the set's order (Swedish first
    when it is the set's first)."""
    question_set = round.question_set
    questions = shown_questions(round) if questions is None else questions
    offered = []
    for lang in question_set.languages:
        if not all(_page_text(question_set, lang, key) for key in codes.UI_KEYS):
            continue
        complete = True
        for q in questions:
            if not q.text.get(lang):
                complete = False
            elif q.scale_id is not None:
                if not all(step["label"].get(lang) for step in q.scale.steps):
                    complete = False
                if q.scale.dont_know is not None and not q.scale.dont_know.get(lang):
                    complete = False
            if not complete:
                break
        if complete:
            offered.append(lang)
    return offered


def ui_text(round, language, key):
    """A page text of the respondent pages (``codes.UI_KEYS``) in ``language``: the set's ``ui``
    where it has one, else the system's (sv, sv-lattlast, en); Swedish as the last resort."""
    return _page_text(round.question_set, language, key) or _page_text(round.question_set, "sv", key) or ""


def step_label(question, code, language="sv"):
    """The label of a step code (or *vet ej*) of a question's scale in ``language``."""
    if code == codes.DONT_KNOW:
        return (question.scale.dont_know or {}).get(language, "Vet inte")
    for step in question.scale.steps:
        if step["code"] == code:
            return step["label"].get(language) or step["label"].get("sv") or code
    return code


# --- answers ----------------------------------------------------------------------------------------

def clean_answer(question, value, *, labels=False):
    """``(step, text)`` to store for one answer, None for a blank one; a SurveyError (Swedish)
    for a value the question does not allow. With ``labels``, a step's Swedish label is accepted
    for its code (case-insensitive), as in the answers file."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise SurveyError(f"Svaret på fråga {question.key} ska vara text.")
    value = value.strip()
    if "\x00" in value:
        raise SurveyError(f"Svaret på fråga {question.key} innehåller ett nolltecken (NUL).")
    if question.scale_id is None:
        if len(value) > MAX_FREE_TEXT:
            raise SurveyError(f"Svaret på fråga {question.key} är för långt (högst {MAX_FREE_TEXT} tecken).")
        if contains_identity_number(value):
            raise SurveyError(f"Svaret på fråga {question.key} {IDENTITY_NUMBER_MESSAGE}")
        return ("", value)
    allowed = question.scale.step_codes
    if value in allowed:
        return (value, "")
    if value == codes.DONT_KNOW and question.scale.dont_know is not None:
        return (codes.DONT_KNOW, "")
    if labels:
        folded = value.casefold()
        for step in question.scale.steps:
            if (step["label"].get("sv") or "").casefold() == folded:
                return (step["code"], "")
        if question.scale.dont_know is not None and (question.scale.dont_know.get("sv") or "").casefold() == folded:
            return (codes.DONT_KNOW, "")
    shown = value if len(value) <= 40 else value[:40] + "…"
    options = allowed + ([codes.DONT_KNOW] if question.scale.dont_know is not None else [])
    raise SurveyError(f"\"{shown}\" är inget svarsalternativ på fråga {question.key} (tillåtna: {', '.join(options)}"
                      f"{' eller deras svenska benämningar' if labels else ''}).")


def clean_answers(round, answers, questions=None, *, labels=False):
    """{question: (step, text)} for the non-blank answers, or a SurveyError listing every problem."""
    questions = shown_questions(round) if questions is None else questions
    by_key = {q.key: q for q in questions}
    if not isinstance(answers, dict):
        raise SurveyError("Svaren ska anges per fråga.")
    errors, cleaned = [], {}
    for key, value in answers.items():
        question = by_key.get(key)
        if question is None:
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            errors.append(f"Fråga {key} ställs inte i den här omgången; lämna den tom.")
            continue
        try:
            result = clean_answer(question, value, labels=labels)
        except SurveyError as error:
            errors.append(error.message)
            continue
        if result is not None:
            cleaned[question] = result
    if errors:
        raise SurveyError(errors[0], errors)
    return cleaned


def _keyed_hash(purpose, round_id, value, key=None):
    secret = (key or settings.FINSAM_PERSON_KEY).encode()
    return hmac.new(secret, f"{purpose}:{round_id}:{value}".encode(), hashlib.sha256).hexdigest()


def _code_hashes(round, code):
    normal = "".join(ch for ch in str(code).upper() if ch.isalnum())
    hashes = [_keyed_hash("survey-code", round.pk, normal)]
    previous = getattr(settings, "FINSAM_PERSON_KEY_PREVIOUS", "")
    if previous:
        hashes.append(_keyed_hash("survey-code", round.pk, normal, previous))
    return hashes


def import_key_hash(round, svar_id):
    """The keyed hash of (round, svar_id) of an imported response (models.ImportId)."""
    return _keyed_hash("survey-import", round.pk, str(svar_id).strip())


def record_response(round, *, channel, language, answers, code=None, date=None):
    """Write one response with its answers: validated, in one transaction that also uses up the code
    (deletes its row, when one is given or required), locks the set version and marks the förbund's
    data changed. ``answers``: {question key: step code | "vet_ej" | text | None}. Web answers need an
    open round; a round that requires codes needs an unused one for web answers. Returns the
    Response; raises SurveyError (Swedish), CodeRefused for a code unknown or used.

    What else the transaction writes, and so shares its id (PostgreSQL's ``xmin``) with the
    response's rows (docs/privacy.md): the förbund's DataVersion row (the latest change's time),
    and the set version's ``locked`` flag on its first response. Not the code: a deleted row keeps
    no visible trace; not the round."""
    if channel not in codes.CHANNEL:
        raise SurveyError(f"Okänd kanal \"{channel}\".")
    if channel == "webb" and round.status != "oppen":
        raise SurveyError(ui_text(round, language if isinstance(language, str) else "sv", "closed"))
    if channel == "webb" and round.codes_required and not code:
        raise SurveyError("Enkäten kräver en svarskod. Skriv koden från din lapp.")
    with transaction.atomic():
        # Lock the set version first, as its loader does, and read its questions under the lock: a
        # load of the same (unlocked) version then waits and finds it locked, rather than replacing
        # the questions these answers are written against. The lock is on the version's row only
        # while it is unlocked (its first responses); a locked version never changes.
        QuestionSet.objects.filter(pk=round.question_set_id, locked=False).update(locked=True)
        questions = shown_questions(round)
        if language not in languages_offered(round, questions):
            raise SurveyError(f"Språket \"{language}\" erbjuds inte i den här omgången "
                              f"(erbjuds: {', '.join(languages_offered(round, questions))}).")
        cleaned = clean_answers(round, answers, questions, labels=channel != "webb")
        if code:
            # One conditional DELETE (no signals: apps.SurveysConfig.bulk_written): of two
            # transactions deleting one row, the second waits for the first and deletes nothing.
            deleted, _ = SurveyCode.objects.filter(round=round, code_hash__in=_code_hashes(round, code)).delete()
            if deleted != 1:
                raise CodeRefused()
        response = Response.objects.create(association_id=round.association_id, round=round, channel=channel,
                                           language=language, date=date or timezone.localdate())
        write_answers(response, cleaned)
        mark_data_changed(round.association_id)
    return response


def write_answers(response, cleaned):
    Answer.objects.bulk_create([Answer(association_id=response.association_id, response=response, question=q,
                                       step=step, text=text) for q, (step, text) in cleaned.items()])


# --- codes --------------------------------------------------------------------------------------------
# A code row exists while the code is unused; using it deletes the row in the response's
# transaction (record_response). Round.codes_issued counts what issue_codes created, so
# used = issued − rows left. Nothing written with a response counts codes.

def code_valid(round, code):
    """Whether ``code`` would be accepted for ``round`` now. Reads only; an unknown code and a used
    one are the same (neither has a row)."""
    return SurveyCode.objects.filter(round=round, code_hash__in=_code_hashes(round, code)).exists()


def code_counts(rounds):
    """{round id: (codes issued, codes used)} for ``rounds`` (Round rows or ids), read in one
    statement, so that an issue or a response between two reads cannot make ``used`` wrong."""
    ids = [getattr(r, "pk", r) for r in rounds]
    left = (SurveyCode.objects.filter(round_id=OuterRef("pk")).order_by().values("round_id")
            .annotate(n=Count("id")).values("n"))
    rows = (Round.objects.filter(pk__in=ids)
            .annotate(left=Coalesce(Subquery(left, output_field=IntegerField()), Value(0)))
            .values_list("pk", "codes_issued", "left"))
    return {pk: (issued, issued - left) for pk, issued, left in rows}



def new_codes(round, n):
    """``n`` new single-use codes for ``round`` (8 characters without 0/O/1/I/L), not yet stored:
    ``store_codes`` stores their keyed hashes once the file that shows them exists, so that codes
    whose PDF was never made (an error, a request cut off) are never counted as issued."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_CODES:
        raise SurveyError(f"Antalet koder ska vara ett heltal från 1 till {MAX_CODES}.")
    taken = set(SurveyCode.objects.filter(round=round).values_list("code_hash", flat=True))
    issued = []
    while len(issued) < n:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        digest = _keyed_hash("survey-code", round.pk, code)
        if digest in taken:
            continue
        taken.add(digest)
        issued.append(code)
    return issued


def store_codes(round, issued):
    """Store the keyed hashes of ``issued`` (from ``new_codes``) and count them; the round then
    requires a code for web answers. A SurveyError when one of them was stored meanwhile (two
    requests' codes alike: 31⁸ codes make it all but impossible), and then none is."""
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=round.pk).first()
        rows = [SurveyCode(association_id=round.association_id, round=round,
                           code_hash=_keyed_hash("survey-code", round.pk, code)) for code in issued]
        if SurveyCode.objects.filter(round=round, code_hash__in=[r.code_hash for r in rows]).exists():
            raise SurveyError("Några av de nya koderna fanns redan. Inga koder har sparats: skapa kodlapparna igen.")
        SurveyCode.objects.bulk_create(rows)
        Round.objects.filter(pk=round.pk).update(codes_issued=F("codes_issued") + len(rows))
        round.refresh_from_db(fields=["codes_issued"])
        if not round.codes_required:
            round.codes_required = True
            round.save(update_fields=["codes_required"])
        mark_data_changed(round.association_id)
    return issued


def issue_codes(round, n):
    """``n`` new single-use codes for ``round``, stored at once (``new_codes`` + ``store_codes``),
    returned once and never stored: only their keyed hashes are. The round then requires a code for
    web answers."""
    return store_codes(round, new_codes(round, n))


# --- status -------------------------------------------------------------------------------------------

def _set_status(round, status, allowed_from, message):
    with transaction.atomic():
        current = Round.objects.select_for_update().get(pk=round.pk)
        if current.status not in allowed_from:
            raise SurveyError(message)
        current.status = status
        current.save(update_fields=["status"])
        round.status = status
        mark_data_changed(round.association_id)
    return round


def open_round(round):
    return _set_status(round, "oppen", ("utkast",), "Bara en omgång som är utkast kan öppnas.")


def close_round(round):
    return _set_status(round, "stangd", ("oppen",), "Bara en öppen omgång kan stängas.")


def reopen_round(round):
    return _set_status(round, "oppen", ("stangd",), "Bara en stängd omgång kan öppnas igen.")


# --- population -----------------------------------------------------------------------------------------

def population(round):
    """The round's population: its number, the insats's current (pågående) or exited (avslut)
    participations in from–to for ``auto`` (anonymous included, felregistrering never), or None."""
    if round.population_kind == "number":
        return round.population_number
    if round.population_kind != "auto" or round.intervention_id is None:
        return None
    from finsam import codes as variable_codes
    from finsam.participants.models import Participation
    from finsam.statistics.engine import Period

    period = Period(round.date_from, round.date_to)
    measure = period.exited if round.respondent_group == "deltagare_avslut" else period.current
    return (Participation.objects.filter(association_id=round.association_id, intervention_id=round.intervention_id)
            .exclude(exit_reason=variable_codes.EXIT_REASON_EXCLUDED).filter(measure).count())


# --- free text ------------------------------------------------------------------------------------------

def free_text_answers(round_or_rounds, question):
    """The free-text answers to ``question`` (a Question or its key) in the given rounds, in random
    order, apart from the rest of their responses; rounds with fewer than min n responses give none."""
    rounds = [round_or_rounds] if isinstance(round_or_rounds, Round) else list(round_or_rounds)
    if not rounds:
        return []
    min_n = rounds[0].association.masking_threshold
    key = question.key if isinstance(question, Question) else question
    counted = [r.pk for r in rounds if r.responses.count() >= min_n]
    texts = list(Answer.objects.filter(response__round__in=counted, question__key=key, question__scale__isnull=True)
                 .exclude(text="").values_list("text", flat=True))
    random.SystemRandom().shuffle(texts)
    return texts
