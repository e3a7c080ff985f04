"""The activity form and the measure-value form: the fields a row of the file has, cleaned by the
same rules (rows.py), so a registration on screen and a row in a file obey one set of rules."""

from django import forms

from finsam.core.forms import AccessibleErrorsMixin

from . import codes, rows

NUMBER = {"min_value": 0, "max_value": rows.MAX_COUNT, "required": False}


def _number(label, **kwargs):
    return forms.IntegerField(label=label, **{**NUMBER, **kwargs},
                              widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}))


def _date(label, required=False, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _text(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class UploadForm(AccessibleErrorsMixin, forms.Form):
    file = forms.FileField(label="Fil (.xlsx eller .csv)", help_text="Högst 20 MB. Se användarguiden för kolumnerna.")


class _RowForm(AccessibleErrorsMixin, forms.Form):
    """A form whose fields are named by the file's columns; ``clean`` runs the row's rules."""

    # Columns reported on the form as a whole (not one field): column -> what the message is about.
    whole_form_columns = {}

    def __init__(self, *args, ctx, **kwargs):
        super().__init__(*args, **kwargs)
        self.ctx = ctx
        choices = [(i.slug, i.name) for i in sorted(ctx.allowed.values(), key=lambda i: i.name)]
        if ctx.association_rows:
            choices = [("", "Förbundet (ingen insats)"), *choices]
        self.fields["insats"] = forms.ChoiceField(label="Insats", choices=choices, required=not ctx.association_rows,
                                                  help_text="Den insats som arrangerade, eller förbundet självt.")
        self.order_fields(self.field_order)

    field_order = None

    def raw(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        raw = self.raw()

        def error(column, message, value=None):
            if column in self.fields:
                self.add_error(column, message[:1].upper() + message[1:])
            else:
                about = self.whole_form_columns.get(column, column)
                self.add_error(None, f"{about}: {message}")

        cleaned["row"] = self.clean_row(raw, error)
        return cleaned


class ActivityForm(_RowForm):
    referens = forms.CharField(label="Referens", max_length=rows.MAX_REFERENCE, required=False,
                               help_text="Förbundets eget id för aktiviteten, om ni har ett (unikt i förbundet).")
    typ = forms.ChoiceField(label="Typ av aktivitet")
    titel = forms.CharField(label="Titel", max_length=rows.MAX_TITLE)
    datum = _date("Datum", required=True, help_text="Det första tillfällets datum.")
    antal = forms.IntegerField(label="Antal tillfällen", min_value=1, max_value=10000, required=False, initial=1,
                               help_text="Fler än 1 för återkommande möten som registreras i en rad.",
                               widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}))
    slutdatum = _date("Sista tillfällets datum", help_text="Bara när antal är större än 1; samma kalenderhalvår.")
    serie = forms.CharField(label="Serie", max_length=60, required=False,
                            help_text="Kod som binder ihop återkommande möten, t.ex. lsg-norr eller styrelsen.")
    status = forms.ChoiceField(label="Status", choices=codes.STATUS.choices, initial=codes.HELD,
                               help_text="Välj Inställd för att ställa in en aktivitet.")
    format = forms.ChoiceField(label="Format", choices=codes.FORMAT.choices, widget=forms.RadioSelect)
    arrangor = forms.MultipleChoiceField(label="Arrangörer", required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text="Inget val: förbundet.")
    publik = forms.MultipleChoiceField(label="Publik", choices=codes.ROLES.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    malgrupp = forms.MultipleChoiceField(label="Målgrupper som aktiviteten gäller", required=False,
                                         widget=forms.CheckboxSelectMultiple)
    deltagare_totalt = _number("Deltagartillfällen totalt",
                               help_text="Deltagare räknade per tillfälle. Krävs för en genomförd aktivitet.")
    deltagare_kvinna = _number("Kvinnor")
    deltagare_man = _number("Män")
    deltagare_annat_ej_angivet = _number("Annat/ej angivet")
    utv_svar = _number("Antal svar på utvärderingen")
    utv_rekommenderar_ja = _number("Ja")
    utv_rekommenderar_nej = _number("Nej")
    kommentar = forms.CharField(label="Kommentar", max_length=rows.MAX_COMMENT, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))

    whole_form_columns = {"per_organisation": "Deltagare per organisation", "per_roll": "Deltagare per roll"}

    def __init__(self, *args, ctx, **kwargs):
        super().__init__(*args, ctx=ctx, **kwargs)
        self.fields["typ"].choices = [(k.code, k.label) for k in ctx.kinds.values()]
        members = ctx.member_names
        organiser_labels = ctx.organiser_labels()
        self.fields["arrangor"].choices = [(c, organiser_labels.get(c, c)) for c in ctx.organisers()]
        self.fields["malgrupp"].choices = list(ctx.target_groups.items())
        for n, (_, label) in enumerate(codes.RATINGS.choices, 1):
            self.fields[f"utv_betyg_{n}"] = _number(f"{n} {label}")
        organisation_labels = {**dict(codes.ORGANISATIONS.choices), **members}
        self.organisations = ctx.organisations()
        for index, code in enumerate(self.organisations):
            self.fields[f"org_{index}"] = _number(organisation_labels.get(code, code))
        self.roles = [*codes.ROLES.codes, codes.UNKNOWN[0]]
        role_labels = {**dict(codes.ROLES.choices), codes.UNKNOWN[0]: codes.UNKNOWN[1]}
        for index, code in enumerate(self.roles):
            self.fields[f"roll_{index}"] = _number(role_labels[code])

    @classmethod
    def initial_of(cls, activity, ctx):
        """The form's initial values for a stored activity."""
        initial = {
            "referens": activity.reference, "insats": activity.intervention.slug if activity.intervention else "",
            "typ": activity.kind, "titel": activity.title, "datum": activity.date, "antal": activity.occasions,
            "slutdatum": activity.end_date, "serie": activity.series, "status": activity.status,
            "format": activity.format, "arrangor": activity.organisers, "publik": activity.audience,
            "malgrupp": activity.target_groups, "deltagare_totalt": activity.attendees,
            "deltagare_kvinna": activity.attendees_women, "deltagare_man": activity.attendees_men,
            "deltagare_annat_ej_angivet": activity.attendees_other, "utv_svar": activity.answers,
            "utv_rekommenderar_ja": activity.recommend_yes, "utv_rekommenderar_nej": activity.recommend_no,
            "kommentar": activity.comment,
        }
        for n in range(1, 6):
            initial[f"utv_betyg_{n}"] = getattr(activity, f"rating_{n}")
        for index, code in enumerate(ctx.organisations()):
            initial[f"org_{index}"] = activity.by_organisation.get(code)
        for index, code in enumerate([*codes.ROLES.codes, codes.UNKNOWN[0]]):
            initial[f"roll_{index}"] = activity.by_role.get(code)
        return initial

    def groups(self):
        """The fields in fieldsets (legend, help, fields) for the page."""
        def bound(names):
            return [self[n] for n in names]
        return [
            ("Aktiviteten", "", bound(["insats", "typ", "titel", "referens", "datum", "antal", "slutdatum", "serie",
                                      "status", "format"])),
            ("Arrangörer, publik och målgrupper", "", bound(["arrangor", "publik", "malgrupp"])),
            ("Deltagare", "Ange alla tre könen eller inget av dem; de ska bli totalen. Utan uppdelning räknas "
                          "deltagarna som annat/ej angivet.",
             bound(["deltagare_totalt", "deltagare_kvinna", "deltagare_man", "deltagare_annat_ej_angivet"])),
            ("Deltagare per organisation", "Frivilligt. Fyller du i, ska delarna bli totalen (använd Okänd för "
                                           "resten).", bound([f"org_{i}" for i in range(len(self.organisations))])),
            ("Deltagare per roll", "Frivilligt. Fyller du i, ska delarna bli totalen.",
             bound([f"roll_{i}" for i in range(len(self.roles))])),
            ("Utvärdering", f"{codes.RECOMMEND_QUESTION} (ja och nej) och {codes.RATING_QUESTION[0].lower()}"
                            f"{codes.RATING_QUESTION[1:]} (antal svar per betyg).",
             bound(["utv_svar", "utv_rekommenderar_ja", "utv_rekommenderar_nej",
                    *[f"utv_betyg_{n}" for n in range(1, 6)]])),
            ("Kommentar", "", bound(["kommentar"])),
        ]

    def raw(self):
        data = self.cleaned_data
        raw = {column: _text(data.get(column)) for column in rows.ACTIVITY_COLUMNS if column in self.fields}
        raw["per_organisation"] = ";".join(f"{code}={data[f'org_{i}']}" for i, code in enumerate(self.organisations)
                                           if data.get(f"org_{i}") is not None)
        raw["per_roll"] = ";".join(f"{code}={data[f'roll_{i}']}" for i, code in enumerate(self.roles)
                                   if data.get(f"roll_{i}") is not None)
        return raw

    def clean_row(self, raw, error):
        return rows.clean_activity(raw, self.ctx, error)


class MeasureValueForm(_RowForm):
    matt = forms.ChoiceField(label="Mått")
    fran = _date("Från", help_text="Periodens första dag. Lämna tom för en nivå (prenumeranter, följare …).")
    till = _date("Till", required=True, help_text="Periodens sista dag, eller dagen nivån gäller.")
    varde = forms.DecimalField(label="Värde", min_value=0, max_digits=14, decimal_places=2,
                               widget=forms.NumberInput(attrs={"class": "short", "step": "any"}))
    kommentar = forms.CharField(label="Kommentar", max_length=rows.MAX_COMMENT, required=False)

    field_order = ["matt", "insats", "fran", "till", "varde", "kommentar"]

    def __init__(self, *args, ctx, **kwargs):
        super().__init__(*args, ctx=ctx, **kwargs)
        self.fields["matt"].choices = [
            (m.code, f"{m.label} ({codes.AGGREGATION.label(m.aggregation).lower()})") for m in ctx.measures.values()]
        self.fields["insats"].help_text = "Den insats måttet gäller, eller förbundet självt."

    def raw(self):
        return {column: _text(self.cleaned_data.get(column)) for column in rows.MEASURE_COLUMNS}

    def clean_row(self, raw, error):
        return rows.clean_measure(raw, self.ctx, error)
