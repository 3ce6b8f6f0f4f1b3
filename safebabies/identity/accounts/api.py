"""/api/v1/audit-events/: site admins read the audit trail of their sites; nobody changes it."""

from typing import Any

from django.db import models
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.selectors import admin_site_ids


class IsSiteAdmin(permissions.BasePermission):
    message = "Only site admins read the audit trail."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and admin_site_ids(request.user))


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    site = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "record_type",
            "record_id",
            "case_id",
            "site",
            "detail",
        ]
        read_only_fields = fields

    def get_actor(self, event: AuditEvent) -> str | None:
        """The e-mail address of who did it (null for a refused sign-in or the system)."""
        return event.actor.email if event.actor is not None else None

    def get_site(self, event: AuditEvent) -> str | None:
        """The site's slug."""
        return event.site.slug if event.site is not None else None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("case", str, description="Events about this case (its id)."),
            OpenApiParameter("actor", str, description="Events by this user (their e-mail)."),
            OpenApiParameter("action", str, enum=AuditEvent.Action.values),
        ]
    )
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail of the caller's sites (site admins only), newest first."""

    serializer_class = AuditEventSerializer
    permission_classes = [permissions.IsAuthenticated, IsSiteAdmin]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return AuditEvent.objects.none()
        return (
            AuditEvent.objects.filter(site_id__in=admin_site_ids(self.request.user))
            .select_related("actor", "site")
            .fetch_mode(models.FETCH_RAISE)
        )

    def filter_queryset(self, queryset):
        params = self.request.query_params
        if case_id := params.get("case"):
            # the case's own events, and the list pages that showed its records
            queryset = queryset.filter(Q(case_id=case_id) | Q(detail__case_ids__contains=[case_id]))
        if actor := params.get("actor"):
            queryset = queryset.filter(actor__email__iexact=actor)
        if action := params.get("action"):
            queryset = queryset.filter(action=action)
        return queryset

    def list(self, request, *args: Any, **kwargs: Any):
        response = super().list(request, *args, **kwargs)
        sites = admin_site_ids(request.user)
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.LIST,
            record_type="audit.auditevent",
            site_id=sites[0] if len(sites) == 1 else None,
            detail={
                "filter": {
                    k: request.query_params[k]
                    for k in ("case", "actor", "action", "page")
                    if request.query_params.get(k)
                }
            },
            request=request._request,
        )
        return response
