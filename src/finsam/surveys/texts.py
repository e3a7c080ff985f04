"""Texts of the respondent pages beyond the page texts a question set carries (``ui``).

The spec's page texts (``codes.SYSTEM_UI``: next, previous, review, ...) are the question set's or
the system's. The pages need a few more (the code field, "Ändra", "Inte besvarad", errors): the
system has them for ``sv``, ``sv-lattlast`` and ``en``; a set may give them for its own languages
under ``ui`` with the same keys. Where it does not, the Swedish text is shown marked ``lang="sv"``
(WCAG 3.1.2, language of parts) rather than refusing the language (docs/decisions.md).
"""

EXTRA_KEYS = ("start", "code", "code_help", "code_missing", "code_invalid", "change",
              "not_answered", "your_answer", "free_text_label", "review_intro", "closed_help", "already_sent",
              "not_found", "answer_options", "error_title", "text_identity_number", "text_too_long")

EXTRA = {
    "sv": {
        "start": "Börja",
        "code": "Din kod",
        "code_help": "Koden står på lappen du fick. Stora eller små bokstäver spelar ingen roll.",
        "code_missing": "Skriv koden från din lapp.",
        # One text for an unknown and a used code: a used code leaves no row (docs/privacy.md).
        "code_invalid": "Koden gäller inte. Den kan redan ha använts. Kontrollera att du har skrivit av den rätt.",
        "change": "Ändra",
        "not_answered": "Inte besvarad",
        "your_answer": "Ditt svar",
        "free_text_label": "Skriv ditt svar (frivilligt)",
        "review_intro": "Du kan ändra ett svar innan du skickar. Alla frågor är frivilliga.",
        "closed_help": "Det går inte att svara längre. Tack för att du ville svara.",
        "already_sent": "Dina svar är redan skickade.",
        "not_found": "Enkäten finns inte.",
        "answer_options": "Svarsalternativ",
        "error_title": "Något behöver rättas",
        "text_identity_number": "Skriv inget personnummer eller samordningsnummer i svaret. Ta bort numret och "
                                "försök igen.",
        "text_too_long": "Svaret är för långt. Skriv högst {n} tecken.",
    },
    "sv-lattlast": {
        "start": "Börja",
        "code": "Din kod",
        "code_help": "Koden står på lappen du fick.",
        "code_missing": "Skriv koden från lappen.",
        "code_invalid": "Koden fungerar inte. Den kanske redan är använd. Titta på lappen igen.",
        "change": "Ändra",
        "not_answered": "Inget svar",
        "your_answer": "Ditt svar",
        "free_text_label": "Skriv om du vill",
        "review_intro": "Här är dina svar. Du kan ändra ett svar. Du behöver inte svara på alla frågor.",
        "closed_help": "Du kan inte svara nu.",
        "already_sent": "Du har redan skickat dina svar.",
        "not_found": "Enkäten finns inte.",
        "answer_options": "Svar",
        "error_title": "Något är fel",
        "text_identity_number": "Skriv inte ditt personnummer. Ta bort numret.",
        "text_too_long": "Svaret är för långt. Skriv kortare, högst {n} tecken.",
    },
    "en": {
        "start": "Start",
        "code": "Your code",
        "code_help": "The code is on the slip you were given. Upper or lower case does not matter.",
        "code_missing": "Enter the code from your slip.",
        "code_invalid": "The code is not valid. It may already have been used. Check that you have copied it "
                        "correctly.",
        "change": "Change",
        "not_answered": "Not answered",
        "your_answer": "Your answer",
        "free_text_label": "Write your answer (optional)",
        "review_intro": "You can change an answer before you submit. All questions are optional.",
        "closed_help": "It is no longer possible to answer. Thank you for wanting to answer.",
        "already_sent": "Your answers have already been submitted.",
        "not_found": "The survey does not exist.",
        "answer_options": "Answer options",
        "error_title": "Something needs to be corrected",
        "text_identity_number": "Do not write a personal identity number or coordination number in your answer. "
                                "Remove the number and try again.",
        "text_too_long": "The answer is too long. Write at most {n} characters.",
    },
}

# Names of languages in their own language, for the language chooser; a set's language not listed
# here is shown by its code.
LANGUAGE_NAMES = {
    "sv": "Svenska", "sv-lattlast": "Lättläst svenska", "en": "English", "fi": "Suomi", "ar": "العربية",
    "fa": "فارسی", "so": "Soomaali", "ti": "ትግርኛ", "prs": "دری", "ps": "پښتو", "ku": "Kurdî", "ckb": "کوردی",
    "bs": "Bosanski", "hr": "Hrvatski", "sr": "Српски", "pl": "Polski", "ru": "Русский", "uk": "Українська",
    "es": "Español", "de": "Deutsch", "fr": "Français", "tr": "Türkçe", "th": "ไทย", "se": "Davvisámegiella",
    "rmy": "Romani", "yi": "ייִדיש", "ur": "اردو", "he": "עברית",
}

RTL = {"ar", "fa", "he", "ur", "ps", "prs", "ckb", "yi", "dv", "ug", "sd"}


def html_lang(language):
    """The value of ``lang`` for a language code: Lättläst is Swedish text (``sv``)."""
    return "sv" if language == "sv-lattlast" else language


def direction(language):
    return "rtl" if language.split("-")[0] in RTL else "ltr"


def language_name(language):
    return LANGUAGE_NAMES.get(language, language)
