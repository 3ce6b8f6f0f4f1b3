"""Forms of the family team page: they collect and type the input; the rules (a role the
person holds at the site, a relative's notice) live in `cases.services`."""

from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import PersonForm
from cases.models import Person
from safebabies.identity.roles import TEAM_ROLES, Role
from safebabies.kit.forms import DateInput, form_helper, form_section

TEAM_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in TEAM_ROLES]


class TeamMemberAddForm(forms.Form):
    email = forms.ChoiceField(label=_("Site member"))
    role = forms.ChoiceField(
        label=_("Role on this family's team"),
        choices=[("", "Choose a role"), *TEAM_ROLE_CHOICES],
        help_text=_("A role the person holds at the site."),
    )
    phone = forms.CharField(
        label=_("Phone for this family"),
        max_length=40,
        required=False,
        help_text=_("The number the family's team reaches them on (optional)."),
    )

    def __init__(self, *args, members, roles_held: dict[int, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(TEAM_ROLE_CHOICES)
        self.fields["email"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a member of the site"),
            *(
                (
                    user.email,
                    f"{user} — {user.email} ("
                    + ", ".join(labels[r] for r in sorted(roles_held.get(user.pk, [])))
                    + ")",
                )
                for user in members
            ),
        ]
        self.helper = form_helper("email", Row(Column("role"), Column("phone")))


FAMILY_PEOPLE_KINDS = [
    (Person.Kind.RELATIVE.value, "A relative"),
    (Person.Kind.SUPPORT.value, "Fictive kin or another support"),
]


class FamilyPersonForm(PersonForm):
    """One of the parent's own people (a relative, fictive kin, another support) as a person of
    the case, with, for a relative, the day they were notified of the removal."""

    notified_on = forms.DateField(
        label=_("Notified of the removal on"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "A relative: empty until they are notified (due within 30 days of the removal)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        kind.choices = FAMILY_PEOPLE_KINDS  # type: ignore[attr-defined]
        kind.initial = Person.Kind.RELATIVE
        self.helper.layout.append(form_section(_("Notice of the removal"), "notified_on"))

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["notified_on"] = self.cleaned_data.get("notified_on")
        return data
