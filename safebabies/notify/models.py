"""Reminders sent (one row per reminder, so nothing is sent twice), in-app notifications, each
person's channel preference and their private calendar feed."""

import hashlib

from django.conf import settings
from django.db import models


class SentReminder(models.Model):
    """A reminder claimed for sending. The unique constraint is the idempotence: whoever inserts
    the row sends the reminder; a second run (or a second worker at once) cannot insert it."""

    kind = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    recipient = models.CharField(max_length=120, help_text="user:<id>, person:<id>")
    occasion = models.CharField(max_length=80)
    channel = models.CharField(max_length=16, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "recipient", "occasion"], name="sent_reminder_once"
            ),
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} → {self.recipient} ({self.occasion})"


class Notification(models.Model):
    """What a user sees on their notifications page (whatever their channel)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    # What it is about, so the page can name the family (to those who may still open it) and
    # mark it read once its work is done (`services.notifications_settle`). Never in a subject.
    case_id = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail and in the app"
        IN_APP = "in_app", "In the app only"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.channel}"


class CalendarFeed(models.Model):
    """A private iCalendar URL. Only the SHA-256 of its token is stored; revoking sets
    `revoked_at` and a new feed gets a new token."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
