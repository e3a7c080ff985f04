"""The code lists of indicator surveys (shared/spec/surveys.md), spelled out once.

Built on ``finsam.codes.CodeList`` (lookup by code or Swedish label, case-insensitive)."""

from finsam.codes import _list

# Built-in respondent groups in table order; a question set may declare more (RespondentGroup).
RESPONDENT_GROUP = _list(
    "respondentgrupp",
    ("deltagare_pagaende", "Deltagare – pågående"),
    ("deltagare_avslut", "Deltagare – avslut"),
    ("insatspersonal", "Insatspersonal"),
    ("styrelse", "Styrelse"),
    ("chefer_samverkan", "Chefer i samverkan (styr- och beredningsgrupp)"),
    ("remittenter", "Remittenter"),
)
TOTAL = "totalt"  # the pooled row of the tables, never a group code

SOURCE = _list("källa", ("nns", "NNS"), ("egen", "Egen"), ("exempel", "Exempel"))
LEVEL = _list("nivå", ("samhalle", "Samhälle"), ("organisation", "Organisation"), ("personal", "Personal"),
              ("deltagare", "Deltagare"))
BUCKET = _list("svarsgrupp", ("positiv", "Positiv"), ("neutral", "Neutral"), ("negativ", "Negativ"))
CHANNEL = _list("kanal", ("webb", "Webb"), ("papper", "Papper"), ("import", "Import"))
STATUS = _list("status", ("utkast", "Utkast"), ("oppen", "Öppen"), ("stangd", "Stängd"))
POPULATION_KIND = _list("population", ("number", "Antal"), ("auto", "Automatiskt"), ("unknown", "Okänd"))

DONT_KNOW = "vet_ej"  # the answer "vet ej": outside the base n
FREE_TEXT = "fritext"  # the reserved scale key of a free-text question

# Page texts of the respondent pages; a question set adds other languages (or overrides) under "ui".
UI_KEYS = ("next", "previous", "review", "submit", "thanks", "closed", "language", "progress", "statement")
SYSTEM_UI = {
    "sv": {
        "next": "Nästa", "previous": "Föregående", "review": "Granska dina svar", "submit": "Skicka",
        "thanks": "Tack för dina svar!", "closed": "Enkäten är stängd.", "language": "Språk",
        "progress": "Fråga {i} av {n}",
        "statement": "Enkäten är anonym. Vi sparar inte vem du är, din IP-adress eller när du svarade.",
    },
    "sv-lattlast": {
        "next": "Nästa", "previous": "Tillbaka", "review": "Titta på dina svar", "submit": "Skicka",
        "thanks": "Tack!", "closed": "Enkäten är slut.", "language": "Språk", "progress": "Fråga {i} av {n}",
        "statement": "Ingen vet vad du svarar. Vi sparar inte ditt namn.",
    },
    "en": {
        "next": "Next", "previous": "Previous", "review": "Review your answers", "submit": "Submit",
        "thanks": "Thank you for your answers!", "closed": "The survey is closed.", "language": "Language",
        "progress": "Question {i} of {n}",
        "statement": "The survey is anonymous. We do not store who you are, your IP address or when you answered.",
    },
}
LANGUAGE_NAMES = {"sv": "Svenska", "sv-lattlast": "Lättläst svenska", "en": "English"}
