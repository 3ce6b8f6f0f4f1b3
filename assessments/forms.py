"""Forms of the case plan (crispy, Bootstrap 5). They collect and type the input; the rules live
in `assessments.services`, whose ValidationErrors come back onto the field they concern."""

from typing import Any

from crispy_forms.layout import HTML, Column, Row
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from assessments.models import (
    CAREGIVER_MARKERS,
    CHILD_MARKERS,
    NARRATIVE_FIELDS,
    Assessment,
    Lens,
    Marker,
    MarkerScore,
    SessionAttendance,
    SessionCaregiver,
)
from cases.models import Consent, Person
from safebabies import codes
from safebabies.identity.roles import Role
from safebabies.kit.forms import DateInput, form_helper, form_section

YES_NO_UNKNOWN = [("", "Not recorded"), ("true", "Yes"), ("false", "No")]


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


def _yes_no(label: str, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO_UNKNOWN,
        coerce=lambda v: v == "true",
        empty_value=None,
        required=False,
        **kwargs,
    )


def _records(queryset, label: str, required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=queryset, required=required, label=label, empty_label=_("None")
    )


def only_child(children) -> Any:
    """The id of the one child of a one-child family (the default of a "which child" field),
    else None."""
    first_two = list(children[:2])
    return first_two[0].pk if len(first_two) == 1 else None


def person_label(person: Person) -> str:
    """A person of the family as a select shows them: "Dorothy Rivera (parent)"."""
    return f"{person} ({person.get_kind_display().lower()})"


def _label_people(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].label_from_instance = person_label  # type: ignore[attr-defined]


PART2_PERSON_HELP = (
    "For a parent's or caregiver's record. A substance-use record (42 CFR Part 2) is opened "
    "only by a release this person signed."
)


class ScreeningForm(forms.Form):
    subject = forms.ChoiceField(label=_("Who was screened"), choices=codes.ScreeningSubject.choices)
    child = _records(None, "Child")
    instrument = forms.ChoiceField(
        label=_("Screening"), choices=_blank("Choose a screening", codes.Instrument.choices)
    )
    screened_on = forms.DateField(label=_("Date"), widget=DateInput())
    result = forms.ChoiceField(
        label=_("Result"),
        choices=_blank("Not recorded yet", codes.ScreeningResult.choices),
        required=False,
    )
    screened_by = forms.CharField(
        label=_("Screened by"),
        max_length=200,
        required=False,
        help_text=_("A name, role or agency."),
    )
    referral_made = _yes_no("Did it lead to a referral?")
    referral = _records(None, "The referral it led to")
    person = _records(None, "Parent or caregiver")

    def __init__(self, *args: Any, children, services, people, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children  # type: ignore[attr-defined]
        self.initial.setdefault("child", only_child(children))
        self.fields["referral"].queryset = services  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        _label_people(self, "person")
        self.fields["child"].help_text = "For a child's screening."
        self.fields["person"].help_text = PART2_PERSON_HELP
        self.helper = form_helper(
            Row(
                Column("subject", css_class="col-md-4"),
                Column("child", css_class="col-md-4"),
                Column("person", css_class="col-md-4"),
            ),
            Row(
                Column("instrument", css_class="col-md-6"),
                Column("screened_on", css_class="col-md-6"),
            ),
            Row(
                Column("result", css_class="col-md-6"), Column("screened_by", css_class="col-md-6")
            ),
            Row(
                Column("referral_made", css_class="col-md-6"),
                Column("referral", css_class="col-md-6"),
            ),
        )


class ProviderInput(forms.TextInput):
    """A free-text provider, offered the site's directory as a datalist: each provider's name,
    with the services it offers and its availability ("3-week waitlist", "not accepting
    referrals")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options: list[tuple[str, str]] = []

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "list": f"{name}-directory", "autocomplete": "off"}
        html = super().render(name, value, attrs, renderer)
        options = format_html_join(
            "", '<option value="{}">{}</option>', ((v, label) for v, label in self.options)
        )
        return html + format_html('<datalist id="{}-directory">{}</datalist>', name, options)


def provider_options(providers: Any) -> list[tuple[str, str]]:
    """(name, "Parenting, Housing · 3-week waitlist") for each provider of the directory."""
    labels = dict(codes.ServiceType.choices)
    return [
        (
            p.name,
            f"{', '.join(labels.get(c, c) for c in p.service_types)} · {p.availability}",
        )
        for p in providers
    ]


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(
        label=_("Service"), choices=_blank("Choose a service", codes.ServiceType.choices)
    )
    recipient = forms.ChoiceField(label=_("For"), choices=codes.ServiceRecipient.choices)
    child = _records(None, "Child")
    person = _records(None, "Parent or caregiver")
    provider = forms.CharField(
        label=_("Provider"), max_length=200, required=False, widget=ProviderInput()
    )
    evidence_based = _yes_no("Evidence-based")
    goal = _records(None, "The goal it serves")
    referred_on = forms.DateField(label=_("Referred on"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=codes.ServiceStatus.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DateInput(), required=False)
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput(), required=False)
    barrier = forms.ChoiceField(
        label=_("What keeps the family from it"),
        choices=_blank("Nothing", codes.ServiceBarrier.choices),
        required=False,
        help_text=_("The Active Community Team works on these barriers across families."),
    )

    def __init__(
        self, *args: Any, children, goals, people, providers: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        options = provider_options(providers)
        self.fields["provider"].widget.options = options  # type: ignore[attr-defined]
        if options:
            self.fields["provider"].help_text = (
                "The site's provider directory is offered, with each one's waitlist; you can "
                "also type another provider."
            )
        self.fields["child"].queryset = children  # type: ignore[attr-defined]
        self.initial.setdefault("child", only_child(children))
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        _label_people(self, "person")
        self.fields["person"].help_text = PART2_PERSON_HELP
        self.helper = form_helper(
            Row(
                Column("service_type", css_class="col-md-6"),
                Column("provider", css_class="col-md-6"),
            ),
            Row(
                Column("recipient", css_class="col-md-3"),
                Column("child", css_class="col-md-3"),
                Column("person", css_class="col-md-3"),
                Column("evidence_based", css_class="col-md-3"),
            ),
            "goal",
            Row(
                Column("status", css_class="col-md-3"),
                Column("referred_on", css_class="col-md-3"),
                Column("started_on", css_class="col-md-3"),
                Column("ended_on", css_class="col-md-3"),
            ),
            "barrier",
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["barrier"] = data.get("barrier") or ""
        return data


# The case plan is read beyond the professionals of the team (the court's view, the mentor's
# view): its free-text fields say so under the box.
READ_BY_COURT_AND_MENTOR = "The judge and the parent mentor can read this."


OTHER = "other"


class GoalForm(forms.Form):
    description = forms.CharField(
        label=_("The goal"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"In the family's own words where possible. {READ_BY_COURT_AND_MENTOR}",
    )
    child = _records(None, "For which child")
    assessment = _records(None, "From the assessment")
    steps = forms.CharField(
        label=_("Steps"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=f"One step a line. {READ_BY_COURT_AND_MENTOR}",
    )
    responsible = forms.ChoiceField(
        label=_("Who"),
        required=False,
        help_text=f"Someone of the family or of the family team. {READ_BY_COURT_AND_MENTOR}",
    )
    responsible_other = forms.CharField(
        label=_("Someone else: who"),
        max_length=200,
        required=False,
        help_text=_(
            "Only for someone who is neither of the family nor on the family team "
            "(a provider, say)."
        ),
    )
    target_on = forms.DateField(label=_("Target date"), widget=DateInput(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=codes.GoalStatus.choices)

    def __init__(
        self, data=None, *, children, assessments, people, team, initial=None, **kwargs: Any
    ) -> None:
        """`people`: the family's people; `team`: the family team's places in force. "Who"
        offers them by name; a goal whose "who" is none of them keeps it as "someone else"."""
        who = [(f"person:{p.pk}", person_label(p)) for p in people]
        who += [(f"member:{m.pk}", str(m)) for m in team]
        initial = dict(initial or {})
        stored = initial.get("responsible") or ""
        if stored:
            key = next((key for key, label in who if label == stored), None)
            initial["responsible"] = key or OTHER
            if key is None:
                initial["responsible_other"] = stored
        super().__init__(data, initial=initial, **kwargs)
        self.fields["responsible"].choices = [  # type: ignore[attr-defined]
            ("", "Not decided yet"),
            *who,
            (OTHER, "Someone else (type the name below)"),
        ]
        self._who = dict(who)
        self.fields["child"].queryset = children  # type: ignore[attr-defined]
        self.initial.setdefault("child", only_child(children))
        self.fields["assessment"].queryset = assessments  # type: ignore[attr-defined]
        self.fields["assessment"].label_from_instance = assessment_label  # type: ignore[attr-defined]
        self.helper = form_helper(
            "description",
            Row(Column("child", css_class="col-md-6"), Column("assessment", css_class="col-md-6")),
            "steps",
            Row(
                Column("responsible", css_class="col-md-4"),
                Column("target_on", css_class="col-md-4"),
                Column("status", css_class="col-md-4"),
            ),
            "responsible_other",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        who = data.get("responsible") or ""
        other = (data.get("responsible_other") or "").strip()
        if who == OTHER and not other:
            self.add_error("responsible_other", "Type who, or choose them in the list above.")
        elif who not in ("", OTHER) and other:
            self.add_error(
                "responsible_other", "Leave this empty when the person is chosen in the list."
            )
        return data

    def goal_kwargs(self) -> dict[str, Any]:
        """The service's fields: "who" as the name the list shows (or the one typed)."""
        data = dict(self.cleaned_data)
        who = data.pop("responsible") or ""
        other = data.pop("responsible_other", "").strip()
        data["responsible"] = other if who == OTHER else self._who.get(who, "")
        return data


class GoalStepForm(forms.Form):
    text = forms.CharField(
        label=_("The step"),
        max_length=300,
        help_text=f"What needs to happen. {READ_BY_COURT_AND_MENTOR}",
    )
    responsible = forms.ChoiceField(label=_("Who"), required=False)
    due_on = forms.DateField(label=_("By when"), widget=DateInput(), required=False)

    def __init__(self, data=None, *, people, team, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        who = [(f"person:{p.pk}", person_label(p)) for p in people]
        who += [(f"member:{m.pk}", str(m)) for m in team]
        self.fields["responsible"].choices = [("", "Not decided yet"), *who]  # type: ignore[attr-defined]
        self._who = dict(who)
        self.helper = form_helper(
            "text",
            Row(
                Column("responsible", css_class="col-md-6"), Column("due_on", css_class="col-md-6")
            ),
        )

    def step_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["responsible"] = self._who.get(data.get("responsible") or "", "")
        return data


def assessment_label(assessment: Assessment) -> str:
    about = {
        Lens.CHILD: str(assessment.child),
        Lens.CAREGIVER: str(assessment.caregiver),
        Lens.RELATIONSHIP: f"{assessment.child} and {assessment.caregiver}",
    }.get(assessment.lens, "")  # type: ignore[call-overload]
    return f"{assessment.assessed_on:%-d %b %Y}: {about}"


class AssessmentForm(forms.Form):
    lens = forms.ChoiceField(label=_("Lens"), choices=Lens.choices)
    child = _records(None, "Child")
    caregiver = _records(None, "Caregiver")
    assessed_on = forms.DateField(label=_("Date"), widget=DateInput())
    strengths = forms.CharField(label=_("Strengths"), widget=forms.Textarea(attrs={"rows": 3}))
    history = forms.CharField(
        label=_("History (relational and trauma history)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    symptoms = forms.CharField(
        label=_("Symptoms"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    functioning = forms.CharField(
        label=_("Functioning (developmental for a child)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    caregiver_beliefs = forms.CharField(
        label=_("The caregiver's beliefs about the child"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    child_expectations = forms.CharField(
        label=_("What the child expects from the caregiver"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    observed_interaction = forms.CharField(
        label=_("Observed interaction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "Behaviour and emotion; the caregiver's sensitivity and responsiveness; the "
            "child's response to the caregiver."
        ),
    )
    culture_and_community = forms.CharField(
        label=_("Culture and community"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, children, caregivers, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children  # type: ignore[attr-defined]
        self.initial.setdefault("child", only_child(children))
        self.fields["caregiver"].queryset = caregivers  # type: ignore[attr-defined]
        _label_people(self, "caregiver")
        self.helper = form_helper(
            Row(
                Column("lens", css_class="col-md-4"),
                Column("child", css_class="col-md-4"),
                Column("caregiver", css_class="col-md-4"),
            ),
            "assessed_on",
            form_section(
                _("What the assessment found"),
                "strengths",
                "history",
                "symptoms",
                "functioning",
            ),
            form_section(
                _("The relationship"),
                "caregiver_beliefs",
                "child_expectations",
                "observed_interaction",
            ),
            "culture_and_community",
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        assert set(NARRATIVE_FIELDS) <= set(data)
        return data


SCORE_CHOICES = [
    ("", "Not rated this time"),
    *[(str(v), label) for v, label in MarkerScore.choices],
]


class MarkersForm(forms.Form):
    """One score (1-4, anchored) and a short note per marker of one person."""

    rated_on = forms.DateField(label=_("Rated on"), widget=DateInput())

    def __init__(self, *args: Any, for_child: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.markers = CHILD_MARKERS if for_child else CAREGIVER_MARKERS
        labels = dict(Marker.choices)
        layout: list[Any] = [
            "rated_on",
            HTML(
                '<p class="small text-body-secondary">1 not yet seen · 2 emerging, now and then · '
                "3 often, with support · 4 consistently, on their own. Setbacks are expected: "
                "rate what the team sees now.</p>"
            ),
        ]
        for marker in self.markers:
            self.fields[f"score_{marker}"] = forms.TypedChoiceField(
                label=labels[marker],
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"note_{marker}"] = forms.CharField(
                label=f"Note on {labels[marker].lower()}", max_length=500, required=False
            )
            layout.append(
                Row(
                    Column(f"score_{marker}", css_class="col-md-5"),
                    Column(f"note_{marker}", css_class="col-md-7"),
                )
            )
        self.helper = form_helper(*layout)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "rated_on": data["rated_on"],
            "scores": {m: data.get(f"score_{m}") for m in self.markers},
            "notes": {m: data.get(f"note_{m}", "") for m in self.markers},
        }


# Roles a release of information never names: those that read no family's record by that role
# (aggregate-only), the site admin, and the parent.
NOT_RECIPIENTS = frozenset(
    {Role.SITE_IMPLEMENTATION, Role.NATIONAL, Role.SITE_ADMIN, Role.PARENT, Role.PARENT_LEADER}
)
RECIPIENT_ROLES = [(value, label) for value, label in Role.choices if value not in NOT_RECIPIENTS]


class ConsentForm(forms.Form):
    person = _records(None, "Who signed", required=True)
    category = forms.ChoiceField(label=_("What may be shared"), choices=Consent.Category.choices)
    recipient_role = forms.ChoiceField(label=_("With"), choices=RECIPIENT_ROLES)
    granted_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    expires_on = forms.DateField(
        label=_("Until"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "Required for substance-use treatment records (42 CFR Part 2). Such a release "
            "covers only the records of the person who signed it; if it names a role you hold, "
            "a second coordinator or site admin confirms it before it is in force."
        ),
    )

    def __init__(self, *args: Any, people, part2: bool, **kwargs: Any) -> None:
        """`part2`: the writer may record a release of substance-use treatment records (a
        Community Coordinator or site admin: `assessments.services.consent_record`)."""
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["person"].empty_label = None  # type: ignore[attr-defined]
        _label_people(self, "person")
        if not part2:
            self.fields["category"].choices = [  # type: ignore[attr-defined]
                (value, label)
                for value, label in Consent.Category.choices
                if value != Consent.Category.SUBSTANCE_USE_TREATMENT
            ]
            self.fields["category"].error_messages["invalid_choice"] = (  # type: ignore[index]
                "A release of substance-use treatment records (42 CFR Part 2) is recorded by a "
                "Community Coordinator or a site admin."
            )
            self.fields["category"].help_text = (
                "A release of substance-use treatment records (42 CFR Part 2) is recorded by "
                "the Community Coordinator or a site admin."
            )
        self.helper = form_helper(
            Row(Column("person", css_class="col-md-6"), Column("category", css_class="col-md-6")),
            Row(
                Column("recipient_role", css_class="col-md-4"),
                Column("granted_on", css_class="col-md-4"),
                Column("expires_on", css_class="col-md-4"),
            ),
        )


class ConfirmForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ConsentRevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("Revoked on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper("revoked_on")


class SessionForm(forms.Form):
    """One session of a service, as it was delivered."""

    held_on = forms.DateField(label="Day of the session", widget=DateInput())
    attendance = forms.ChoiceField(label="Attendance", choices=SessionAttendance.choices)
    caregiver = forms.ChoiceField(
        label="Who took part",
        choices=_blank("Not recorded", SessionCaregiver.choices),
        required=False,
        help_text="For dyadic work: the birth parent, the resource parent, both, or the child.",
    )
    minutes = forms.IntegerField(label="Minutes", min_value=1, max_value=1440, required=False)
    note = forms.CharField(
        label="Short note",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=READ_BY_COURT_AND_MENTOR,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Row(
                Column("held_on", css_class="col-sm-6 col-md-3"),
                Column("attendance", css_class="col-sm-6 col-md-3"),
                Column("caregiver", css_class="col-sm-6 col-md-4"),
                Column("minutes", css_class="col-sm-6 col-md-2"),
            ),
            "note",
        )
