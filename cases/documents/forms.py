"""The upload form: it collects and types the input; the rules (content, size, what it may be
attached to) live in `cases.documents.services`."""

from django import forms

from cases.models import Document
from safebabies.kit.forms import DateInput, form_helper


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A PDF, or a photo or scan as PNG or JPEG.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
    kind = forms.ChoiceField(
        label="What it is", choices=[("", "Choose one"), *Document.Kind.choices]
    )
    attached_to = forms.ChoiceField(label="Attach it to", required=False)
    document_date = forms.DateField(
        label="Date on the document", required=False, widget=DateInput()
    )
    shared_with_family = forms.BooleanField(
        label="Share with the family",
        required=False,
        help_text="The parents of the case can read it on their own page. Leave it off for "
        "anything that names other people's details.",
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
