"""Forms of ICWA and relatives' notice: they collect and type the input; the rules live in
the services (`cases.icwa.services`, `cases.services`, `cases.hearings.services`)."""

from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Child, Hearing, TribeNotice
from safebabies.kit.forms import DateInput, form_helper


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Child) -> str:
        return f"{obj} ({obj.get_icwa_display().lower()})"


class TribeNoticeForm(forms.Form):
    child = ChildChoiceField(label=_("Child"), queryset=Child.objects.none(), empty_label=None)
    tribe = forms.CharField(label=_("Tribe"), max_length=200)
    notice_sent_on = forms.DateField(
        label=_("Notice sent on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty until the notice is sent."),
    )
    response_on = forms.DateField(
        label=_("Tribe answered on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while the answer is pending."),
    )
    response = forms.CharField(label=_("What the tribe answered"), max_length=500, required=False)

    FIELDS = ("tribe", "notice_sent_on", "response_on", "response")

    def __init__(self, *args, children, notice: TribeNotice | None = None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if notice is not None:
            initial.update({name: getattr(notice, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        if notice is not None:
            del self.fields["child"]
        else:
            self.fields["child"].queryset = children  # type: ignore[attr-defined]
        self.helper = form_helper(
            *(["child"] if notice is None else []),
            "tribe",
            Row(Column("notice_sent_on"), Column("response_on")),
            "response",
        )

    def service_kwargs(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (*self.FIELDS, "child")
            if name in self.cleaned_data
        }


class RelativeNoticeForm(forms.Form):
    notified_on = forms.DateField(
        label=_("Notified of the removal on"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: not notified yet."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("notified_on")


class ActiveEffortsForm(forms.Form):
    active_efforts = forms.ChoiceField(
        label=_("Did the court find that active efforts were made?"),
        choices=[("", "Not recorded"), *Hearing.ActiveEfforts.choices],
        required=False,
        help_text=_(
            "ICWA: active efforts to provide services and programs to prevent the "
            "breakup of the Indian family."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("active_efforts")
