"""Small helpers shared by the cases tests."""

from __future__ import annotations

import io
import re
from typing import Any

from django.test import Client
from django.urls import reverse

RECEIPT = re.compile(r'data-testid="receipt-code">([\d ]+)<')


def submit_public(client: Client, **fields: Any) -> tuple[Any, str]:
    """POST the public form and return (response, receipt code without spaces or '')."""
    data = {"category": "bribery", "description": "An officer asked for money.", **fields}
    response = client.post(reverse("report:index"), data, **fields.pop("extra", {}))
    match = RECEIPT.search(response.content.decode())
    return response, match.group(1).replace(" ", "") if match else ""


def jpeg_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"  # Make
    exif[0x0131] = "SecretSoftware 1.0"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()
