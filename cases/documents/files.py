"""What an uploaded file is, by its content, and the name it is kept under.

The type is read from the file's first bytes (its magic numbers) with `filetype`: the name's
extension and the browser's content type are never trusted. `filetype` is a small pure-Python
library with no dependency (no libmagic to install on the server or in the image), it reads
only the first 261 bytes, and it knows the three types kept here. On top of it, a PDF must also
end the way a PDF ends, and an image must open as an image of its type (Pillow, already here
for the PDFs the app writes), so a file that merely starts with the right bytes is refused.
"""

import io
import re
import secrets
import unicodedata

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

ALLOWED = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
REFUSED = "Attach a PDF, a PNG or a JPEG image: this file is {what}."


def max_bytes() -> int:
    return int(settings.DOCUMENTS_MAX_BYTES)


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(size // 1024, 1)} KB"


# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD = 64 * 1024


def too_large_to_read(request) -> bool:
    """Whether a request announces a body larger than any file we keep: refused before it is
    read (Django would otherwise write all of it to a temporary file first)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_bytes() + FORM_OVERHEAD


def too_large_message() -> str:
    return f"This file is larger than the limit of {_human(max_bytes())}."


def sniff(upload: UploadedFile, field: str = "file") -> tuple[str, bytes]:
    """(content type, bytes) of an upload that is a PDF, a PNG or a JPEG by its content and
    not over the size limit; a ValidationError on `field` naming what is wrong otherwise."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError({field: too_large_message()})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({field: too_large_message()})
    if not content:
        raise ValidationError({field: "This file is empty."})
    kind = filetype.guess(content[:261])
    if kind is None:
        raise ValidationError({field: REFUSED.format(what="of no type we can keep")})
    if kind.mime not in ALLOWED:
        raise ValidationError({field: REFUSED.format(what=f"a {kind.extension.upper()} file")})
    if kind.mime == "application/pdf":
        if b"%%EOF" not in content[-1024:]:
            raise ValidationError({field: "This PDF is cut short or damaged: attach it again."})
    elif not _is_image(content, kind.mime):
        raise ValidationError({field: "This image is damaged: attach it again."})
    return kind.mime, content


def _is_image(content: bytes, mime: str) -> bool:
    from PIL import Image  # Pillow: weasyprint's dependency

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return Image.MIME.get(image.format or "") == mime
    except Exception:  # a malformed image may raise anything from a decoder
        return False


UNSAFE = re.compile(r"[^\w .()+,-]+")


def clean_name(name: str, content_type: str) -> str:
    """The person's file name as a label: no folder (`../`, `C:\\`), no control or odd
    characters, at most 120 characters, with the extension of what the file really is."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = UNSAFE.sub("_", name).strip(" ._") or "document"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" ._")[:110] or "document"
    return f"{stem}.{ALLOWED[content_type]}"


def storage_name(content_type: str) -> str:
    """A random name, nothing of the person's: `ab/<32 hex>.<ext>`."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}.{ALLOWED[content_type]}"
