"""Django admin for the case records, scoped to the site admin's sites (`SiteScopedAdmin`):
read-only for everyone but a superuser, every read audited. Changes go through the app's pages
and API, which hold the rules; a superuser's saves of team places and consents keep them too.
"""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from cases import models as m
from cases.services import team_member_add, team_role_check
from safebabies.identity.admin import SiteScopedAdmin
from safebabies.identity.models import User


@admin.register(m.Case)
class CaseAdmin(SiteScopedAdmin):
    site_path = "site"
    list_display = ["name", "site", "opened_on", "closed_on", "enrollment"]
    list_filter = ["site", "enrollment"]
    search_fields = ["name", "id"]


@admin.register(m.Child)
class ChildAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = ["__str__", "case", "birth_date", "docket_number", "icwa"]
    search_fields = ["given_name", "family_name", "docket_number", "id"]
    list_select_related = ["case"]


@admin.register(m.Person)
class PersonAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = ["__str__", "kind", "case"]
    search_fields = ["given_name", "family_name", "id"]
    list_select_related = ["case"]


class TeamMemberAddForm(forms.ModelForm):
    """A superuser's new team place keeps the rule of the team page and the API: the role is a
    family-team role the person holds at the case's site (`team_role_check`)."""

    class Meta:
        model = m.TeamMember
        fields = ["case", "user", "role", "person"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        case, user, role = data.get("case"), data.get("user"), data.get("role")
        if case is not None and user is not None and role:
            try:
                team_role_check(case=case, member=user, role=role, email=user.email)
            except ValidationError as error:
                raise ValidationError(
                    [message for messages in error.message_dict.values() for message in messages]
                ) from None
        return data


@admin.register(m.TeamMember)
class TeamMemberAdmin(SiteScopedAdmin):
    """Family-team places. Nobody changes one here: a place ends on the family team's page or
    when the person's role at the site is taken away. A superuser may add one, through
    `team_member_add` and its rule."""

    site_path = "case__site"
    list_display = ["user", "role", "case", "person", "added_at", "removed_at"]
    list_select_related = ["user", "case", "person"]
    add_form = TeamMemberAddForm

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None) -> Any:
        if obj is None:
            return ["case", "user", "role", "person"]
        return super().get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change or not self._is_superuser(request):
            raise PermissionDenied("Only a superuser adds a family-team place here.")
        row, _created = team_member_add(
            actor=cast(User, request.user),
            case=obj.case,
            email=obj.user.email,
            role=obj.role,
            person_id=obj.person_id,
            request=request,
        )
        obj.pk = row.pk


@admin.register(m.Episode)
class EpisodeAdmin(SiteScopedAdmin):
    site_path = "child__case__site"
    list_display = ["child", "removal_date", "discharge_date", "discharge_reason"]
    list_select_related = ["child"]


@admin.register(m.Placement)
class PlacementAdmin(SiteScopedAdmin):
    site_path = "episode__child__case__site"
    list_display = ["episode", "setting", "start_date", "end_date"]
    list_select_related = ["episode__child"]


@admin.register(m.PermanencyPlan)
class PermanencyPlanAdmin(SiteScopedAdmin):
    site_path = "child__case__site"
    list_display = ["child", "effective_date", "primary_goal", "concurrent_goal"]
    list_select_related = ["child"]

    def has_change_permission(self, request, obj=None):
        return False  # a plan change is a new row: history is never overwritten


@admin.register(m.Hearing)
class HearingAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = ["case", "hearing_type", "scheduled_on", "status"]
    list_filter = ["hearing_type", "status"]
    list_select_related = ["case"]


@admin.register(m.MaltreatmentReport)
class MaltreatmentReportAdmin(SiteScopedAdmin):
    site_path = "child__case__site"
    list_display = ["child", "reported_on", "disposition"]
    list_select_related = ["child"]


@admin.register(m.TribeNotice)
class TribeNoticeAdmin(SiteScopedAdmin):
    site_path = "child__case__site"
    list_display = ["child", "tribe", "notice_sent_on", "response_on"]
    list_select_related = ["child"]


@admin.register(m.Consent)
class ConsentAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = [
        "person",
        "category",
        "recipient_role",
        "granted_on",
        "expires_on",
        "revoked_on",
    ]
    list_select_related = ["person"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        """A revoked consent is final (`Consent.clean` refuses any change to it, too)."""
        if obj is not None and obj.revoked_on is not None:
            return [field.name for field in self.model._meta.fields]
        return super().get_readonly_fields(request, obj)
