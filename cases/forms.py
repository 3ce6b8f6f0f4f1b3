"""Forms for the case pages (crispy, Bootstrap 5). They collect and type the input; the rules
live in `cases.services`, whose ValidationErrors come back onto the field they concern."""

from typing import cast

from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Child, Person, Placement, Relationship
from cases.services import CHILD_FIELDS
from safebabies import codes
from safebabies.identity.models import Site
from safebabies.kit.forms import DateInput, form_helper, form_section


def placement_label(placement: Placement) -> str:
    return f"{placement.get_setting_display()}, since {placement.start_date:%-d %b %Y}"


GOAL_CHOICES = [("", "Choose a goal"), *codes.PermanencyGoal.choices]


class GoalsMixin(forms.Form):
    primary_goal = forms.ChoiceField(label=_("Permanency goal"), choices=GOAL_CHOICES)
    concurrent_goal = forms.ChoiceField(
        label=_("Concurrent goal"),
        choices=GOAL_CHOICES,
        help_text=_("A second path, planned from day 1, in case the first one cannot happen."),
    )


MANNER_CHOICES = [("", "Not recorded"), *codes.RemovalManner.choices]
# where a child goes at removal: every setting but the ones that are not a home (METRICS.md)
FIRST_SETTING_CHOICES = [
    ("", "Choose a setting"),
    *(
        (value, label)
        for value, label in codes.PlacementSetting.choices
        if value not in codes.NON_MOVE_SETTINGS
    ),
]


class RemovalMixin(forms.Form):
    """How a child was removed and where they went first (episodes.csv, placements.csv)."""

    manner = forms.ChoiceField(label=_("Manner of removal"), choices=MANNER_CHOICES, required=False)
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for removal"),
        choices=codes.RemovalReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Every reason the petition gives. Physical or sexual abuse, neglect, "
            "abandonment and prenatal substance exposure make an early intervention referral "
            "due within 7 days."
        ),
    )
    setting = forms.ChoiceField(
        label=_("First placement"),
        choices=FIRST_SETTING_CHOICES,
        required=False,
        help_text=_("Where the child went on the day of the removal."),
    )
    address = forms.CharField(
        label=_("Address of the first placement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept from parent mentors."),
    )

    removal_layout = (
        Row(Column("removal_date", css_class="col-md-6"), Column("manner", css_class="col-md-6")),
        "reasons",
        "setting",
        "address",
    )
    REMOVAL_FIELDS = ("removal_date", "manner", "reasons", "setting", "address")


class CaseCreateForm(RemovalMixin, GoalsMixin):
    """A case starts with its first child: their removal and first permanency plan."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), empty_label=None)
    name = forms.CharField(
        label=_("Family name for the team"),
        max_length=200,
        help_text=_("How the team names the family, for example 'Rivera family'."),
    )
    opened_on = forms.DateField(label=_("Case opened on"), widget=DateInput())
    enrollment = forms.ChoiceField(label=_("Enrollment"), choices=codes.Enrollment.choices)
    given_name = forms.CharField(label=_("Child's first name"), max_length=100)
    family_name = forms.CharField(label=_("Child's last name"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Child's birth date"), widget=DateInput())
    docket_number = forms.CharField(label=_("Court docket number"), max_length=64, required=False)
    removal_date = forms.DateField(
        label=_("Removal date"),
        widget=DateInput(),
        required=False,
        help_text=_("The day the child left home. Needed when the child is in out-of-home care."),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = sites
        if len(sites) == 1:
            self.fields["site"].initial = sites[0]
            self.fields["site"].widget = forms.HiddenInput()
        self.helper = form_helper(
            form_section(
                _("The family"),
                "site",
                "name",
                Row(
                    Column("opened_on", css_class="col-md-6"),
                    Column("enrollment", css_class="col-md-6"),
                ),
            ),
            form_section(
                _("The first child"),
                Row(
                    Column("given_name", css_class="col-md-6"),
                    Column("family_name", css_class="col-md-6"),
                ),
                Row(
                    Column("birth_date", css_class="col-md-6"),
                    Column("docket_number", css_class="col-md-6"),
                ),
            ),
            form_section(_("The removal"), *self.removal_layout),
            form_section(
                _("Permanency plan from day 1"),
                Row(
                    Column("primary_goal", css_class="col-md-6"),
                    Column("concurrent_goal", css_class="col-md-6"),
                ),
            ),
        )

    CHILD_FIELDS = (
        "given_name",
        "family_name",
        "birth_date",
        "docket_number",
        *RemovalMixin.REMOVAL_FIELDS,
        "primary_goal",
        "concurrent_goal",
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "site": data["site"],
            "name": data["name"],
            "opened_on": data["opened_on"],
            "enrollment": data["enrollment"],
            "child": {key: data[key] for key in self.CHILD_FIELDS},
        }


class CaseForm(forms.Form):
    name = forms.CharField(label=_("Family name for the team"), max_length=200)
    opened_on = forms.DateField(label=_("Case opened on"), widget=DateInput())
    enrollment = forms.ChoiceField(label=_("Enrollment"), choices=codes.Enrollment.choices)

    # Closing is not an edit: the case page's "Close this case" (cases.closing) checks that
    # every child has left care and asks for the reason.
    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": case.name,
                "opened_on": case.opened_on,
                "enrollment": case.enrollment,
            },
        )
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "name",
            Row(
                Column("opened_on", css_class="col-md-6"),
                Column("enrollment", css_class="col-md-6"),
            ),
        )


class ChildDetailsForm(forms.Form):
    given_name = forms.CharField(label=_("First name"), max_length=100)
    family_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput())
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", "Not recorded"), *codes.Sex.choices], required=False
    )
    docket_number = forms.CharField(label=_("Court docket number"), max_length=64, required=False)
    icwa = forms.ChoiceField(
        label=_("ICWA status"), choices=codes.Icwa.choices, initial=codes.Icwa.UNKNOWN
    )
    preferred_language = forms.CharField(
        label=_("Preferred language"), max_length=32, required=False
    )
    enrolled_on = forms.DateField(label=_("Enrolled in Safe Babies on"), widget=DateInput())

    details_layout = (
        Row(
            Column("given_name", css_class="col-md-6"), Column("family_name", css_class="col-md-6")
        ),
        Row(Column("birth_date", css_class="col-md-6"), Column("sex", css_class="col-md-6")),
        Row(Column("docket_number", css_class="col-md-6"), Column("icwa", css_class="col-md-6")),
        Row(
            Column("preferred_language", css_class="col-md-6"),
            Column("enrolled_on", css_class="col-md-6"),
        ),
    )


class ChildCreateForm(RemovalMixin, GoalsMixin, ChildDetailsForm):
    removal_date = forms.DateField(
        label=_("Removal date"),
        widget=DateInput(),
        required=False,
        help_text=_("The day the child left home, if they are in out-of-home care."),
    )
    caregiver = forms.ModelChoiceField(
        label=_("Resource parent or caregiver of the first placement"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Not in the family's record yet"),
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            cast(forms.ModelChoiceField, self.fields["caregiver"]).queryset = people
        self.helper = form_helper(
            form_section(_("The child"), *self.details_layout),
            form_section(_("The removal"), *self.removal_layout[:-1], "caregiver", "address"),
            form_section(
                _("Permanency plan from day 1"),
                Row(
                    Column("primary_goal", css_class="col-md-6"),
                    Column("concurrent_goal", css_class="col-md-6"),
                ),
            ),
        )


class ChildEditForm(ChildDetailsForm):
    race = forms.MultipleChoiceField(
        label=_("Race (as the family describes it)"),
        choices=codes.Race.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hispanic = forms.ChoiceField(
        label=_("Hispanic or Latino"),
        choices=[("", "Not recorded"), *codes.Hispanic.choices],
        required=False,
    )

    FIELDS = tuple(sorted(CHILD_FIELDS))  # the fields the child service accepts

    def __init__(self, *args, child: Child, **kwargs):
        kwargs.setdefault("initial", {name: getattr(child, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            *self.details_layout,
            Row(Column("race", css_class="col-md-6"), Column("hispanic", css_class="col-md-6")),
        )


class PersonForm(forms.Form):
    """A person and their relationship to each child of the family."""

    kind = forms.ChoiceField(label=_("Who they are to the family"), choices=Person.Kind.choices)
    given_name = forms.CharField(label=_("First name"), max_length=100)
    family_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    preferred_language = forms.CharField(
        label=_("Preferred language"), max_length=32, required=False
    )
    family_copies = forms.MultipleChoiceField(
        label=_("They agreed to receive each meeting's family copy"),
        choices=Person.CopyChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ask them first. Leave all unticked if they did not agree: no copy is sent."),
    )

    FIELDS = (
        "kind",
        "given_name",
        "family_name",
        "phone",
        "email",
        "address",
        "preferred_language",
        "family_copies",
    )

    def __init__(self, *args, children, person: Person | None = None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if person is not None:
            initial.update({name: getattr(person, name) for name in self.FIELDS})
            initial.update({f"rel_{rel.child_id}": rel.kind for rel in person.relationships.all()})
        else:
            initial.setdefault("preferred_language", "English")
        super().__init__(*args, **kwargs)
        self.children = list(children)
        rel_fields = []
        for child in self.children:
            name = f"rel_{child.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"Relationship to {child}",
                choices=[("", "Not related / not recorded"), *Relationship.Kind.choices],
                required=False,
            )
            rel_fields.append(name)
        self.helper = form_helper(
            form_section(
                _("The person"),
                Row(
                    Column("given_name", css_class="col-md-6"),
                    Column("family_name", css_class="col-md-6"),
                ),
                Row(
                    Column("kind", css_class="col-md-6"),
                    Column("preferred_language", css_class="col-md-6"),
                ),
            ),
            form_section(
                _("How to reach them"),
                Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
                "address",
                "family_copies",
            ),
            *([form_section(_("Relationship to each child"), *rel_fields)] if rel_fields else []),
        )

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["relationships"] = {
            child.pk: self.cleaned_data[f"rel_{child.pk}"] for child in self.children
        }
        return data


class PlacementEndForm(forms.Form):
    end_date = forms.DateField(label=_("Placement ended on"), widget=DateInput())
    end_reason = forms.CharField(label=_("Why it ended"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Row(
                Column("end_date", css_class="col-md-6"), Column("end_reason", css_class="col-md-6")
            )
        )


class PermanencyPlanForm(GoalsMixin):
    effective_date = forms.DateField(label=_("In effect from"), widget=DateInput())
    reason = forms.CharField(
        label=_("Why the plan changed"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, the court's order at the permanency hearing."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Row(
                Column("primary_goal", css_class="col-md-6"),
                Column("concurrent_goal", css_class="col-md-6"),
            ),
            "effective_date",
            "reason",
        )


class ParentInviteForm(forms.Form):
    """A Community Coordinator invites a parent of the case to their own view."""

    email = forms.EmailField(
        label=_("The parent's e-mail address"),
        max_length=254,
        help_text=_("How they sign in. The invitation goes here."),
    )
    language = forms.ChoiceField(
        label=_("Their language"),
        choices=[("en", "English"), ("es", "Español")],
        help_text=_("Their pages, e-mails and family copies are in this language."),
    )
    sign_in_with = forms.ChoiceField(
        label=_("How they sign in (they can ask you to change it)"),
        choices=[
            ("link", "A link by e-mail each time, no password (simplest on a phone)"),
            ("password", "A password and a code from an app on their phone"),
        ],
        widget=forms.RadioSelect,
    )
    by_text = forms.BooleanField(label=_("Also send the link by text message"), required=False)

    def __init__(self, *args, phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if phone:
            self.fields["by_text"].label = f"Also send the link by text message to {phone}"
        else:
            del self.fields["by_text"]
        self.helper = form_helper(*self.fields)
