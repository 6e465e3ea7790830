"""Word, Excel and PowerPoint files (.docx, .xlsx, .pptx) rewritten without identifying details.

An Office Open XML file is a ZIP of XML parts. What is removed or neutralised:
- document properties: docProps/core.xml (author, last modified by, title, dates, revision) is
  replaced by an empty one, docProps/app.xml (company, manager, template, editing time,
  application) by an empty one, custom properties and the preview thumbnail are removed with
  their relationships and content-type entries;
- names of the people who commented or tracked changes (Word's w:author / w:initials, people.xml,
  Excel's comment authors and threaded-comment persons, PowerPoint's comment authors) become
  “Reporter”, their user ids and presence information are removed, and the dates of comments
  and tracked changes are removed;
- the path of the template (Word) and of the folder the file was saved in (Excel), and the user
  who reserved an Excel workbook;
- EXIF, XMP and text blocks of the JPEG and PNG pictures inside the document;
- the dates and system fields of the ZIP entries themselves.

What cannot be removed here: the text and pictures of the document (names typed in it, a
letterhead, an “Author:” line Excel writes at the start of a note), fonts and styles' names,
revision-session ids (w:rsid, which only link edits of the same file), custom XML data parts.
Embedded workbooks (a chart's data) are cleaned the same way; macro-enabled files and
files with other embedded objects are refused rather than half-cleaned.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from .clean_media import image_without_metadata

NEUTRAL_NAME = "Reporter"
NEUTRAL_INITIALS = "R"
OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
EXTENSIONS = {"word/": ".docx", "xl/": ".xlsx", "ppt/": ".pptx"}

_CONTENT_TYPES = "[Content_Types].xml"
_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>'
)
_REL_TYPE_ENDINGS_DROPPED = ("/custom-properties", "/thumbnail", "/attachedTemplate")
# Attribute local names, wherever they appear in the document's parts.
_NAME_ATTRIBUTES = {"author": NEUTRAL_NAME, "initials": NEUTRAL_INITIALS, "userName": NEUTRAL_NAME}
_DATE_ATTRIBUTES = {"date", "dateUtc", "dT", "dt"}
# Element local name -> attributes replaced by a neutral value (persons and comment authors).
_PERSON_ELEMENTS = {
    "person": {"displayName": NEUTRAL_NAME, "userId": NEUTRAL_NAME, "providerId": "None"},
    "cmAuthor": {"name": NEUTRAL_NAME},
    # PowerPoint's modern comment authors (ppt/authors.xml).
    "author": {"name": NEUTRAL_NAME, "userId": NEUTRAL_NAME, "providerId": "None"},
}
_DROPPED_ELEMENTS = {"presenceInfo", "attachedTemplate", "absPath"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
# A ZIP that unpacks to more than this is refused: a document does not need it, a "zip bomb" does.
_MAX_UNPACKED = 200 * 1024 * 1024
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _refusal(message: str, name: str, **more: str) -> ValidationError:
    return ValidationError(message % {"name": name, **more})


def refuse_legacy_office(name: str) -> ValidationError:
    return _refusal(
        _(
            "“%(name)s” is an old-format Office file (.doc, .xls, .ppt) or a password-protected "
            "one, whose hidden details cannot be removed here. Save it as .docx, .xlsx, .pptx or "
            "PDF without a password, then send it again."
        ),
        name,
    )


def _damaged(name: str) -> ValidationError:
    return _refusal(
        _("“%(name)s” could not be read as a Word, Excel or PowerPoint file; it may be damaged."), name
    )


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _neutralise(root: etree._Element) -> None:
    for element in list(root.iter()):
        local = _local(element.tag)
        if local in _DROPPED_ELEMENTS and element.getparent() is not None:
            element.getparent().remove(element)
            continue
        if local == "author" and element.text and not len(element):
            element.text = NEUTRAL_NAME  # Excel comments: <authors><author>Name</author>
        replacements = _PERSON_ELEMENTS.get(local, {})
        for attribute in list(element.attrib):
            attr_local = _local(attribute)
            if attr_local in _DATE_ATTRIBUTES:
                del element.attrib[attribute]
            elif attr_local in replacements:
                element.attrib[attribute] = replacements[attr_local]
            elif attr_local in _NAME_ATTRIBUTES:
                element.attrib[attribute] = _NAME_ATTRIBUTES[attr_local]


def _parse(data: bytes, name: str) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _damaged(name) from exc


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _kind(archive: zipfile.ZipFile) -> str | None:
    names = archive.namelist()
    for prefix in OOXML_TYPES:
        if any(n.startswith(prefix) for n in names):
            return prefix
    return None


def _dropped_parts(package_rels: etree._Element) -> tuple[set[str], str | None, str | None]:
    """Return (parts to remove, core part, app part) named in the package relationships."""
    dropped, core, app = set(), None, None
    for rel in list(package_rels):
        rel_type = rel.get("Type", "")
        target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
        if rel_type.endswith(_REL_TYPE_ENDINGS_DROPPED):
            dropped.add(target)
            package_rels.remove(rel)
        elif rel_type.endswith("/core-properties"):
            core = target
        elif rel_type.endswith("/extended-properties"):
            app = target
    return dropped, core, app


def _is_package(content: bytes) -> bool:
    return content.startswith(b"PK\x03\x04")


def _refuse_active_content(parts: dict[str, bytes], name: str) -> None:
    names = list(parts)
    content_types = parts[_CONTENT_TYPES]
    if any(posixpath.basename(n).lower() == "vbaproject.bin" for n in names) or (
        b"macroEnabled" in content_types
    ):
        raise _refusal(
            _(
                "“%(name)s” contains macros (a .docm, .xlsm or .pptm file), which can run "
                "programs and cannot be checked here. Save it as a normal .docx, .xlsx or "
                ".pptx file, then send it again."
            ),
            name,
        )
    # A chart's data is an embedded workbook, cleaned like the document; other objects are not.
    embedded = [n for n in names if ("/embeddings/" in n and not _is_package(parts[n])) or "/activeX/" in n]
    if embedded:
        raise _refusal(
            _(
                "“%(name)s” contains an embedded file or object (%(part)s) whose hidden details "
                "cannot be removed here. Remove it from the document, or save the document as PDF, "
                "then send it again."
            ),
            name,
            part=embedded[0],
        )


def strip_office(data: bytes, name: str) -> tuple[bytes, str, str]:
    """Return (cleaned file, MIME type, extension), or raise ValidationError naming the file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise _damaged(name) from exc
    names = [info.filename for info in infos]
    kind = _kind(archive)
    if _CONTENT_TYPES not in names or kind is None:
        raise _refusal(
            _(
                "“%(name)s” is a ZIP archive, not a Word, Excel or PowerPoint document; archives "
                "are not accepted. Send the files in it one by one."
            ),
            name,
        )
    if len(set(names)) != len(names) or sum(i.file_size for i in infos) > _MAX_UNPACKED:
        raise _damaged(name)
    try:
        parts = {info.filename: archive.read(info) for info in infos if not info.is_dir()}
    except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError) as exc:
        raise _damaged(name) from exc
    _refuse_active_content(parts, name)
    cleaned = _clean_parts(parts, name)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        # [Content_Types].xml first, as Office itself writes it.
        for part in sorted(cleaned, key=lambda p: p != _CONTENT_TYPES):
            info = zipfile.ZipInfo(part, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            target.writestr(info, cleaned[part])
    return out.getvalue(), OOXML_TYPES[kind], EXTENSIONS[kind]


def _clean_parts(parts: dict[str, bytes], name: str) -> dict[str, bytes]:
    dropped: set[str] = set()
    core = app = None
    if "_rels/.rels" in parts:
        package_rels = _parse(parts["_rels/.rels"], name)
        dropped, core, app = _dropped_parts(package_rels)
        parts["_rels/.rels"] = _serialise(package_rels)
    dropped |= {p for p in parts if p.startswith("docProps/thumbnail")}
    cleaned: dict[str, bytes] = {}
    for part, content in parts.items():
        if part in dropped:
            continue
        if part == core:
            cleaned[part] = _CORE
        elif part == app:
            cleaned[part] = _APP
        elif part == _CONTENT_TYPES:
            types = _parse(content, name)
            for override in list(types):
                if override.get("PartName", "").lstrip("/") in dropped:
                    types.remove(override)
            cleaned[part] = _serialise(types)
        elif part.endswith(".rels"):
            rels = _parse(content, name)
            for rel in list(rels):
                if rel.get("Type", "").endswith(_REL_TYPE_ENDINGS_DROPPED):
                    rels.remove(rel)
            cleaned[part] = _serialise(rels)
        elif part.endswith(".xml"):
            root = _parse(content, name)
            _neutralise(root)
            cleaned[part] = _serialise(root)
        elif "/embeddings/" in part:
            cleaned[part] = strip_office(content, name)[0]
        else:
            cleaned[part] = image_without_metadata(content)
    return cleaned
