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

The work is bounded before it is done (clean_limits): the ZIP's directory gives the unpacked
size, each XML part's bytes give its number of elements before it is parsed, and the parts are
read, cleaned and written one at a time, so memory holds one part's tree, not the document's.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .clean_limits import WorkBudget, refusal
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
# Elements and attributes to change, found by libxml2 rather than by a Python loop over every
# element and attribute (on 2.6 million empty paragraphs that loop took 11 s).
_ELEMENTS_TO_CHANGE = [f"{{*}}{local}" for local in sorted({*_DROPPED_ELEMENTS, *_PERSON_ELEMENTS})]
# One contains() rather than a local-name() comparison per name: half the time.
_ATTRIBUTES_TO_CHANGE = etree.XPath(
    f"//@*[contains('|{'|'.join(sorted({*_NAME_ATTRIBUTES, *_DATE_ATTRIBUTES}))}|', concat('|', local-name(), '|'))]"
)
# A part in which none of these elements or attributes occurs has nothing to change, and is kept
# as it is, unparsed: a worksheet of a million numbers took 3 s to parse and write back for
# nothing. An attribute is looked for as its name followed by "=", since "dt" alone is in
# every worksheet ("width").
_ELEMENT_NAMES = tuple(local.encode() for local in sorted({*_DROPPED_ELEMENTS, *_PERSON_ELEMENTS}))
_ATTRIBUTE_NAMES = {
    local.encode(): re.compile(re.escape(local.encode()) + rb"\s*=")
    for local in sorted({*_NAME_ATTRIBUTES, *_DATE_ATTRIBUTES})
}
_ENCODING_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_LIBXML2_NO_MEMORY = 2  # XML_ERR_NO_MEMORY
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# A workbook embedded in a document is cleaned; one embedded in that workbook too; deeper
# nesting is refused like any other embedded object.
_MAX_NESTING = 2


def refuse_legacy_office(name: str) -> ValidationError:
    return refusal(
        _(
            "“%(name)s” is an old-format Office file (.doc, .xls, .ppt) or a password-protected "
            "one, whose hidden details cannot be removed here. Save it as .docx, .xlsx, .pptx or "
            "PDF without a password, then send it again."
        ),
        name,
    )


def _damaged(name: str) -> ValidationError:
    return refusal(
        _("“%(name)s” could not be read as a Word, Excel or PowerPoint file; it may be damaged."), name
    )


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _may_identify(xml: bytes) -> bool:
    """Return False when the XML part surely has nothing that _neutralise changes.

    Sure only when names are written in ASCII bytes: the part starts with "<" (after a UTF-8
    byte-order mark) and declares no encoding other than UTF-8 (UTF-16 or EBCDIC hide them).
    A part with comments, a DOCTYPE, CDATA or processing instructions is parsed too: written
    back, it loses what lies outside its root element, as before.
    """
    head = xml.removeprefix(b"\xef\xbb\xbf").lstrip()
    declared = _ENCODING_DECLARED.match(head)
    if (
        head[:1] != b"<"
        or b"\x00" in head[:2]
        or (declared and declared[1].lower() not in (b"utf-8", b"utf8"))
        or b"<!" in xml
        or xml.count(b"<?") > 1
    ):
        return True
    if any(name in xml for name in _ELEMENT_NAMES):
        return True
    return any(name in xml and pattern.search(xml) for name, pattern in _ATTRIBUTE_NAMES.items())


def _neutralise(root: etree._Element) -> None:
    for element in list(root.iter(_ELEMENTS_TO_CHANGE)):
        local = _local(element.tag)
        if local in _DROPPED_ELEMENTS:
            if element.getparent() is not None:
                element.getparent().remove(element)
            continue
        if local == "author" and element.text and not len(element):
            element.text = NEUTRAL_NAME  # Excel comments: <authors><author>Name</author>
        replacements = _PERSON_ELEMENTS[local]
        for attribute in list(element.attrib):
            if _local(attribute) in replacements:
                element.attrib[attribute] = replacements[_local(attribute)]
    for value in _ATTRIBUTES_TO_CHANGE(root):
        element, attribute = value.getparent(), value.attrname
        if element is None or attribute not in element.attrib:
            continue  # on an element dropped above
        if _local(attribute) in _DATE_ATTRIBUTES:
            del element.attrib[attribute]
        else:
            element.attrib[attribute] = _NAME_ATTRIBUTES[_local(attribute)]


def _parse(data: bytes, name: str, budget: WorkBudget) -> etree._Element:
    budget.parse(data)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        if exc.code == _LIBXML2_NO_MEMORY:  # the child's memory limit, not a damaged file
            raise MemoryError from exc
        raise _damaged(name) from exc


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _kind(names: list[str]) -> str | None:
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


def _read(archive: zipfile.ZipFile, part: zipfile.ZipInfo | str, name: str, size: int = -1) -> bytes:
    """Return a part's bytes (the first `size` of them), or refuse the file as damaged."""
    try:
        with archive.open(part) as stream:
            return stream.read(size)
    except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError, KeyError) as exc:
        raise _damaged(name) from exc


def _refuse_active_content(
    archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], name: str, depth: int
) -> None:
    names = [part.filename for part in parts]
    if any(posixpath.basename(n).lower() == "vbaproject.bin" for n in names) or (
        b"macroEnabled" in _read(archive, _CONTENT_TYPES, name)
    ):
        raise refusal(
            _(
                "“%(name)s” contains macros (a .docm, .xlsm or .pptm file), which can run "
                "programs and cannot be checked here. Save it as a normal .docx, .xlsx or "
                ".pptx file, then send it again."
            ),
            name,
        )
    # A chart's data is an embedded workbook, cleaned like the document; other objects are not.
    embedded = [
        part.filename
        for part in parts
        if "/activeX/" in part.filename
        or (
            "/embeddings/" in part.filename
            and (depth >= _MAX_NESTING or not _is_package(_read(archive, part, name, 4)))
        )
    ]
    if embedded:
        raise refusal(
            _(
                "“%(name)s” contains an embedded file or object (%(part)s) whose hidden details "
                "cannot be removed here. Remove it from the document, or save the document as PDF, "
                "then send it again."
            ),
            name,
            part=embedded[0],
        )


def strip_office(data: bytes, name: str, budget: WorkBudget, *, depth: int = 1) -> tuple[bytes, str, str]:
    """Return (cleaned file, MIME type, extension), or raise ValidationError naming the file.

    `budget` counts the work of the document and of the workbooks embedded in it (`depth` 2).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise _damaged(name) from exc
    names = [info.filename for info in infos]
    kind = _kind(names)
    if _CONTENT_TYPES not in names or kind is None:
        raise refusal(
            _(
                "“%(name)s” is a ZIP archive, not a Word, Excel or PowerPoint document; archives "
                "are not accepted. Send the files in it one by one."
            ),
            name,
        )
    if len(set(names)) != len(names):
        raise _damaged(name)
    # Counted before anything is unpacked. The sizes in the ZIP's directory bind: zipfile stops
    # at a part's stated size, and a part that unpacks to more then fails its checksum.
    budget.unpack(parts=len(infos), size=sum(info.file_size for info in infos))
    parts = [info for info in infos if not info.is_dir()]
    _refuse_active_content(archive, parts, name, depth)
    package = _Package(name=name, budget=budget, depth=depth)
    if "_rels/.rels" in names:
        package_rels = _parse(_read(archive, "_rels/.rels", name), name, budget)
        package.dropped, package.core, package.app = _dropped_parts(package_rels)
        package.package_rels = _serialise(package_rels)
    package.dropped |= {n for n in names if n.startswith("docProps/thumbnail")}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        # [Content_Types].xml first, as Office itself writes it. One part at a time: read,
        # cleaned, written, so that memory never holds the whole document unpacked.
        for info in sorted(parts, key=lambda i: i.filename != _CONTENT_TYPES):
            if info.filename in package.dropped:
                continue
            zinfo = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zinfo.create_system = 0
            target.writestr(zinfo, package.clean(info.filename, partial(_read, archive, info, name)))
    return out.getvalue(), OOXML_TYPES[kind], EXTENSIONS[kind]


@dataclass
class _Package:
    """What cleaning one part needs to know about the package around it."""

    name: str
    budget: WorkBudget
    depth: int
    dropped: set[str] = field(default_factory=set)
    core: str | None = None
    app: str | None = None
    package_rels: bytes | None = None

    def clean(self, part: str, read: Callable[[], bytes]) -> bytes:
        """Return the part cleaned; `read` is called only when its content is needed."""
        if part == self.core:
            return _CORE
        if part == self.app:
            return _APP
        if part == "_rels/.rels" and self.package_rels is not None:
            return self.package_rels
        content = read()
        if part == _CONTENT_TYPES:
            types = _parse(content, self.name, self.budget)
            for override in list(types):
                if override.get("PartName", "").lstrip("/") in self.dropped:
                    types.remove(override)
            return _serialise(types)
        if part.endswith(".rels"):
            rels = _parse(content, self.name, self.budget)
            for rel in list(rels):
                if rel.get("Type", "").endswith(_REL_TYPE_ENDINGS_DROPPED):
                    rels.remove(rel)
            return _serialise(rels)
        if part.endswith(".xml"):
            if not _may_identify(content):
                self.budget.parse(content)  # counted all the same: the limit is the document's size
                return content
            root = _parse(content, self.name, self.budget)
            _neutralise(root)
            return _serialise(root)
        if "/embeddings/" in part:
            return strip_office(content, self.name, self.budget, depth=self.depth + 1)[0]
        return image_without_metadata(content)
