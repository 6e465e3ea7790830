"""How much work cleaning one reporter's file may take, and the refusals when it needs more.

A small upload can ask for a great deal of work: a 24 KB Word file whose text part unpacks to
15 MB of empty paragraphs took 12.5 s and 780 MB of a web worker to clean, and a 2 MB PDF with
300,000 objects packed in object streams took 9 s. The checks here read sizes and counts that
cost next to nothing (the ZIP's directory, the bytes of an XML part, the PDF's cross-reference
table) and refuse before the expensive part starts. The time and memory limits of the process
that cleans (clean_process) catch whatever these counts do not foresee.

The limits are resolved from settings at the edge (files.cleaning_limits) and passed down, so the
cleaners run in a process that has no Django settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Messages are lazy and take `params`: they are raised in the cleaning process, which has no
# settings and no language, and translated in the web process when the form shows them.
TOO_LARGE_UNPACKED = _(
    "“%(name)s” unpacks to more than %(limit)s MB (Word, Excel and PowerPoint files are "
    "compressed), more than can be checked here. Split it into smaller files, or save it as PDF, "
    "then send it again."
)
TOO_MANY_PARTS = _(
    "“%(name)s” is made of more than %(limit)s parts, more than a document needs; it cannot be "
    "checked here. Save it again as a new document or as PDF, then send it again."
)
TOO_MANY_ELEMENTS = _(
    "“%(name)s” holds more than %(limit)s elements (paragraphs, cells, shapes…), more than can be "
    "checked here. Split it into smaller files, or save it as PDF, then send it again."
)
TOO_MANY_PDF_OBJECTS = _(
    "“%(name)s” is made of more than %(limit)s internal objects (a PDF of a thousand pages has "
    "far fewer), more than can be checked here. Print it to a new PDF, or split it into smaller "
    "files, then send it again."
)


@dataclass(frozen=True)
class CleaningLimits:
    """The most work one file may ask for; each limit is an ARUSHA_CASES_* setting.

    Attributes:
        unpacked_bytes: bytes a Word, Excel or PowerPoint file may unpack to, embedded
            workbooks included (ARUSHA_CASES_MAX_UNPACKED_MB).
        xml_elements: XML elements in all of its parts together (ARUSHA_CASES_MAX_XML_ELEMENTS).
        pdf_objects: objects a PDF may hold (ARUSHA_CASES_MAX_PDF_OBJECTS).
        seconds: wall-clock time to clean one file (ARUSHA_CASES_CLEAN_SECONDS).
        memory_bytes: memory the cleaning process may add to what it starts with
            (ARUSHA_CASES_CLEAN_MEMORY_MB).
    """

    unpacked_bytes: int
    xml_elements: int
    pdf_objects: int
    seconds: int
    memory_bytes: int

    # A Word file has a few dozen parts, a slide deck full of pictures a few hundred.
    parts: int = 5_000


def _grouped(value: int) -> str:
    return number_format(value, force_grouping=True)


# "2,000,000" or "2 000 000", written in the web process in the reader's language.
grouped = lazy(_grouped, str)


def refusal(message: StrOrPromise, name: str, **params: object) -> ValidationError:
    """Return the ValidationError telling the reporter why the file `name` was refused."""
    return ValidationError(message, params={"name": name, **params})


class WorkBudget:
    """What is left of one file's limits while it is cleaned.

    An embedded workbook (a chart's data) is a package inside the package: it draws on the same
    budget as the document, so nesting cannot multiply the work.
    """

    def __init__(self, limits: CleaningLimits, name: str) -> None:
        self.limits = limits
        self.name = name
        self._unpacked = 0
        self._parts = 0
        self._elements = 0

    def unpack(self, *, parts: int, size: int) -> None:
        """Count a package's parts and unpacked size, or refuse the file if they are over the limits."""
        self._parts += parts
        self._unpacked += size
        if self._parts > self.limits.parts:
            raise refusal(TOO_MANY_PARTS, self.name, limit=grouped(self.limits.parts))
        if self._unpacked > self.limits.unpacked_bytes:
            raise refusal(TOO_LARGE_UNPACKED, self.name, limit=self.limits.unpacked_bytes // 1048576)

    def parse(self, xml: bytes) -> None:
        """Count the elements of an XML part before it is parsed, or refuse the file."""
        self._elements += xml_element_count(xml)
        if self._elements > self.limits.xml_elements:
            raise refusal(TOO_MANY_ELEMENTS, self.name, limit=grouped(self.limits.xml_elements))

    def check_pdf_objects(self, count: int) -> None:
        if count > self.limits.pdf_objects:
            raise refusal(TOO_MANY_PDF_OBJECTS, self.name, limit=grouped(self.limits.pdf_objects))


def xml_element_count(xml: bytes) -> int:
    """Return the number of elements in `xml` (at least half of it for a hostile file), read from its bytes.

    Every tag starts with "<", and "<" stands for itself nowhere else outside comments and CDATA
    (text writes "&lt;"); closing tags start with "</". Counting bytes takes 10 ms for 15 MB,
    where parsing takes a second and 350 MB. A file that hides "</" in comments to lower the
    count gains at most a factor of two: at most half of the "<"s are subtracted. In UTF-16 the
    "<" byte still appears once per "<", so the count stays an upper bound.
    """
    opening = xml.count(b"<")
    closing = xml.count(b"</")
    return opening - min(closing, opening // 2)
