"""The upload form: it collects and types the input; the rules (content, size, what it may be
attached to) live in `cases.documents.services`."""

from django import forms
from django.utils.translation import gettext_lazy

from cases.models import Document
from safebabies.kit.forms import DateInput, form_helper


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A PDF, or a photo or scan as PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("What it is"), choices=[("", "Choose one"), *Document.Kind.choices]
    )
    attached_to = forms.ChoiceField(label=gettext_lazy("Attach it to"), required=False)
    document_date = forms.DateField(
        label=gettext_lazy("Date on the document"), required=False, widget=DateInput()
    )
    shared_with_family = forms.BooleanField(
        label=gettext_lazy("Share with the family"),
        required=False,
        help_text=gettext_lazy(
            "The parents of the case can read it on their own page. Leave it off for "
            "anything that names other people's details."
        ),
    )

    def __init__(self, *args, attachments=(), may_share=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attached_to"].choices = [("", "The family's case"), *attachments]  # type: ignore[attr-defined]
        fields = ["file", "kind", "attached_to", "document_date"]
        if may_share:  # the coordinator's decision (cases.documents.services.SHARING)
            fields.append("shared_with_family")
        else:
            del self.fields["shared_with_family"]
        self.helper = form_helper(*fields)

    def service_kwargs(self) -> dict:
        data = {"shared_with_family": False, **self.cleaned_data}
        target = data.pop("attached_to") or ""
        what, _, record_id = target.partition(":")
        data["hearing_id"] = record_id if what == "hearing" else None
        data["consent_id"] = record_id if what == "consent" else None
        return data
