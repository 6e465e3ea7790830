"""Documents built in the tests, each carrying identifying details that must not survive upload."""

from __future__ import annotations

import io
import zipfile

# Every string below identifies the author; none may remain in the stored file.
PDF_IDENTIFYING = (
    b"Jane Whistleblower",
    b"XmpCreatorName",
    b"SecretProducer",
    b"D:20310506",
    b"AnnotAuthorName",
    b"EmbeddedSecret",
    b"JsPayload",
)
OFFICE_IDENTIFYING = (
    b"Jane Whistleblower",
    b"JW-Initials",
    b"Acme Smuggling Ltd",
    b"Boss Manager",
    b"CustomPropSecret",
    b"C:\\Users\\jane",
    b"2031-05-06",
)


def pdf_with_metadata() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = ["XmpCreatorName"]
    pdf.docinfo["/Author"] = "Jane Whistleblower"
    pdf.docinfo["/Producer"] = "SecretProducer"
    pdf.docinfo["/CreationDate"] = "D:20310506120000"
    pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(pdf, b"EmbeddedSecret inside")
    comment = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Text,
        Rect=[0, 0, 10, 10],
        T=pikepdf.String("AnnotAuthorName"),
        Contents=pikepdf.String("Visible note"),
        M=pikepdf.String("D:20310506120000"),
    )
    pdf.pages[0].obj["/Annots"] = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(comment)]))
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('JsPayload')")
    )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def pdf_plain(data: bytes) -> bytes:
    """The PDF rewritten with every stream decompressed, to search it for strings."""
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(
            out,
            compress_streams=False,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            stream_decode_level=pikepdf.StreamDecodeLevel.all,
        )
    return out.getvalue()


_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OD = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:creator>Jane Whistleblower</dc:creator><cp:lastModifiedBy>Jane Whistleblower</cp:lastModifiedBy>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2031-05-06T10:00:00Z</dcterms:created>'
    "</cp:coreProperties>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Template>C:\\Users\\jane\\Normal.dotm</Template><Company>Acme Smuggling Ltd</Company>"
    "<Manager>Boss Manager</Manager><TotalTime>42</TotalTime></Properties>"
)
_CUSTOM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Owner">'
    "<vt:lpwstr>CustomPropSecret</vt:lpwstr></property></Properties>"
)


def _package(main_part: str, main_type: str, main_rel: str, extra: dict[str, str]) -> bytes:
    overrides = "".join(
        f'<Override PartName="/{part}" ContentType="{ctype}"/>'
        for part, ctype in [
            (main_part, main_type),
            ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
            ("docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
            ("docProps/custom.xml", "application/vnd.openxmlformats-officedocument.custom-properties+xml"),
        ]
    )
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0"?><Types xmlns="{_CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_OD}/{main_rel}" Target="{main_part}"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        'metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_OD}/extended-properties" Target="docProps/app.xml"/>'
        f'<Relationship Id="rId4" Type="{_OD}/custom-properties" Target="docProps/custom.xml"/>'
        "</Relationships>",
        "docProps/core.xml": _CORE,
        "docProps/app.xml": _APP,
        "docProps/custom.xml": _CUSTOM,
        **extra,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def docx_with_metadata() -> bytes:
    document = (
        f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body><w:p>'
        '<w:ins w:id="1" w:author="Jane Whistleblower" w:date="2031-05-06T10:00:00Z">'
        "<w:r><w:t>Visible body text</w:t></w:r></w:ins>"
        '<w:commentRangeStart w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
        "</w:p></w:body></w:document>"
    )
    comments = (
        f'<?xml version="1.0"?><w:comments xmlns:w="{_W}">'
        '<w:comment w:id="0" w:author="Jane Whistleblower" w:initials="JW-Initials" '
        'w:date="2031-05-06T10:00:00Z"><w:p><w:r><w:t>Check gate 4</w:t></w:r></w:p></w:comment>'
        "</w:comments>"
    )
    doc_rels = (
        f'<?xml version="1.0"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_OD}/comments" Target="comments.xml"/></Relationships>'
    )
    return _package(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "officeDocument",
        {
            "word/document.xml": document,
            "word/comments.xml": comments,
            "word/_rels/document.xml.rels": doc_rels,
            "docProps/thumbnail.jpeg": "Jane Whistleblower thumbnail",
            "word/people.xml": '<?xml version="1.0"?><w15:people '
            'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
            '<w15:person w15:author="Jane Whistleblower"><w15:presenceInfo w15:providerId="AD" '
            'w15:userId="S::jane@acme.example::1"/></w15:person></w15:people>',
        },
    )


def xlsx_with_metadata() -> bytes:
    workbook = (
        f'<?xml version="1.0"?><workbook xmlns="{_S}" '
        'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac">'
        '<fileSharing userName="Jane Whistleblower"/><x15ac:absPath url="C:\\Users\\jane\\Desktop\\"/>'
        '<sheets><sheet name="Payments" sheetId="1"/></sheets></workbook>'
    )
    comments = (
        f'<?xml version="1.0"?><comments xmlns="{_S}"><authors><author>Jane Whistleblower</author>'
        '</authors><commentList><comment ref="A1" authorId="0"><text><t>Paid twice</t></text>'
        "</comment></commentList></comments>"
    )
    persons = (
        '<?xml version="1.0"?><personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
        '<person displayName="Jane Whistleblower" id="{1}" userId="jane@acme.example" providerId="AD"/>'
        "</personList>"
    )
    return _package(
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "officeDocument",
        {"xl/workbook.xml": workbook, "xl/comments1.xml": comments, "xl/persons/person.xml": persons},
    )


def pptx_with_metadata() -> bytes:
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    authors = (
        f'<?xml version="1.0"?><p:cmAuthorLst xmlns:p="{p}"><p:cmAuthor id="0" '
        'name="Jane Whistleblower" initials="JW-Initials" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>'
    )
    comments = (
        f'<?xml version="1.0"?><p:cmLst xmlns:p="{p}"><p:cm authorId="0" dt="2031-05-06T10:00:00.000" '
        'idx="1"><p:pos x="10" y="10"/><p:text>Ask the broker</p:text></p:cm></p:cmLst>'
    )
    return _package(
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "officeDocument",
        {
            "ppt/presentation.xml": f'<?xml version="1.0"?><p:presentation xmlns:p="{p}"/>',
            "ppt/commentAuthors.xml": authors,
            "ppt/comments/comment1.xml": comments,
        },
    )


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()
