"""Attachments on a report: checked by content, stored privately, served through access."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deviations.models import Attachment, Deviation
from tests.deviations.test_deviations import form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_attachments_are_stored_and_served_to_those_who_may_see_them(org, client_for) -> None:
    client = client_for("staff_a")
    data = form(org, attachments=[upload("bild.png", PNG), upload("anteckning.pdf", PDF)])
    assert client.post(reverse("deviations:report"), data).status_code == 302
    deviation = Deviation.objects.get()
    attachments = list(deviation.attachments.all())
    assert [(a.name, a.content_type) for a in attachments] == [
        ("bild.png", "image/png"),
        ("anteckning.pdf", "application/pdf"),
    ]
    assert "bild.png" not in attachments[0].file.name  # stored under a random name
    url = reverse("deviations:attachment", args=[deviation.pk, attachments[0].pk])
    for persona, status in [("staff_a", 200), ("manager_a", 200), ("staff_b", 404), ("colleague_a", 404)]:
        response = client_for(persona).get(url)
        assert response.status_code == status, persona
        if status == 200:
            assert b"".join(response.streaming_content) == PNG
            assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([upload("program.pdf", b"MZ\x90\x00" + b"x" * 10)], "inte den sortens fil"),
        ([upload("skript.exe", b"MZ")], "kan inte bifogas"),
        ([upload("tom.png", b"")], "tom"),
        ([upload(f"b{i}.png", PNG) for i in range(6)], "högst 5"),
        ([upload("stor.png", PNG + b"0" * (10 * 1024 * 1024))], "gränsen"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(org, client_for, files, message) -> None:
    response = client_for("staff_a").post(reverse("deviations:report"), form(org, attachments=files))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_attachments"' in html
    assert message in html
    assert not Deviation.objects.exists()
    assert not Attachment.objects.exists()


def test_the_reporter_of_a_lex_sarah_report_cannot_download_its_files(org, client_for) -> None:
    client = client_for("staff_a")
    client.post(reverse("deviations:report"), form(org, is_lex_sarah="on", attachments=[upload("a.png", PNG)]))
    deviation = Deviation.objects.get()
    url = reverse("deviations:attachment", args=[deviation.pk, deviation.attachments.get().pk])
    assert client.get(url).status_code == 404
    assert client_for("quality").get(url).status_code == 200
    assert client_for("manager_a").get(url).status_code == 404
