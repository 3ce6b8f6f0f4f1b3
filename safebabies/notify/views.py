"""In-app notifications, the channel preference and the private calendar feed."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safebabies.identity.http import AuthenticatedRequest
from safebabies.notify import ics, selectors, services
from safebabies.notify.models import NotificationPreference


class PreferenceForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How should we reach you?"),
        choices=NotificationPreference.Channel.choices,
        widget=forms.RadioSelect,
    )


@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    """The person's notifications, each naming its family (in the app only); those whose work
    is done are marked read first (`services.notifications_settle`)."""
    services.notifications_settle(user=request.user, today=timezone.localdate())
    items = list(selectors.notifications_of(request.user))
    families = selectors.families_named(request.user, items)
    return render(
        request,
        "notify/list.html",
        {
            "items": [(n, families.get(n.case_id, "")) for n in items],
            "unread": sum(1 for n in items if n.read_at is None),
        },
    )


@require_POST
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and goes where it leads."""
    notification = services.notification_read(
        notification=selectors.notification_of(request.user, pk)
    )
    link = notification.link
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notification-list")


@require_POST
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    services.notification_read(notification=selectors.notification_of(request.user, pk))
    return redirect("notification-list")


@require_POST
def notifications_read(request: AuthenticatedRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("notification-list")


@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthenticatedRequest) -> HttpResponse:
    pref = NotificationPreference.objects.filter(user=request.user).first()
    current = pref.channel if pref else NotificationPreference.Channel.EMAIL
    form = PreferenceForm(request.POST or None, initial={"channel": current})
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=request.user, channel=form.cleaned_data["channel"])
        messages.success(request, _("Saved: we will reach you that way."))
        return redirect("notification-settings")
    feed_url = request.session.pop("calendar_feed_url", None)
    context = {
        "form": form,
        "has_feed": selectors.has_active_feed(request.user),
        "feed_url": feed_url,
    }
    return render(request, "notify/settings.html", context, status=400 if form.errors else 200)


@require_POST
def calendar_feed_new(request: AuthenticatedRequest) -> HttpResponse:
    token = services.calendar_feed_create(user=request.user)
    url = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
    request.session["calendar_feed_url"] = url  # shown once, on the next page
    messages.success(request, _("Your new calendar address is below; any older one stops working."))
    return redirect("notification-settings")


@require_POST
def calendar_feed_revoke(request: AuthenticatedRequest) -> HttpResponse:
    services.calendar_feed_revoke(user=request.user)
    messages.success(request, _("Your calendar address no longer works."))
    return redirect("notification-settings")


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: the token in the URL is the only credential (revocable)."""
    user = selectors.feed_user(token)
    if user is None:
        raise Http404
    items = selectors.feed_items(user)
    cal = ics.new_calendar(name="Safe Babies")
    for ftm in items["ftms"]:
        cal.add_component(ics.ftm_event(ftm))
    for hearing in items["hearings"]:
        cal.add_component(ics.hearing_event(hearing))
    for visit in items["visits"]:
        cal.add_component(ics.visit_event(visit, visit.child.case.site, visit.child.case_id))
    services.calendar_feed_read_audit(user=user, items=items, request=request)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
