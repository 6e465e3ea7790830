"""PDF attachments rewritten without the hidden details that identify their author.

What is removed:
- the document information dictionary (title, author, subject, keywords, creator, producer,
  creation and modification dates) and every XMP metadata stream, the document's and each
  page's, image's or font's own;
- the document /ID (a new one is generated, so the file cannot be matched to the original);
- embedded files (attachments, portfolios) and file-attachment annotations;
- JavaScript, the action run on opening (/OpenAction), automatic actions (/AA) and links that
  launch programs, run scripts, submit forms or import data;
- the author (/T) and dates (/M, /CreationDate) of comments and other annotations; form field
  names are kept, since a form's fields are found by them;
- signatures (they name the signer, and any change invalidates them anyway), application
  private data (/PieceInfo) and EXIF/XMP blocks inside the JPEG pictures of the pages;
- earlier versions kept by incremental saves, unused objects and anything after the end of
  the file: the file is written afresh from what the pages use.

What cannot be removed here: whatever shows on the page (names in the text, letterheads,
signatures drawn as pictures, scanner stamps), the names of the fonts used, tagged-structure
text and the pictures' pixels themselves (a photo of a room can still be recognised).

The number of objects is read from the cross-reference table before any object is parsed
(clean_limits): a 2 MB file can pack 300,000 objects into compressed object streams, and
visiting each took 9 s.
"""

from __future__ import annotations

import io

import pikepdf
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .clean_limits import WorkBudget, refusal
from .clean_media import jpeg_without_metadata

# Actions that run something on the reader's computer or send data away.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/Rendition"}
# Keys that hold metadata or automatic behaviour, wherever they appear.
_HIDDEN_KEYS = ("/Metadata", "/AA", "/AF", "/PieceInfo", "/LastModified")
_ANNOTATION_DATES = ("/M", "/CreationDate")


def _damaged(name: str) -> ValidationError:
    return refusal(
        _(
            "“%(name)s” could not be read as a PDF; it may be damaged or incomplete. Open it "
            "and save it again (or print it to PDF), then send it again."
        ),
        name,
    )


def _encrypted(name: str) -> ValidationError:
    return refusal(
        _(
            "“%(name)s” is a password-protected PDF, which cannot be checked for hidden details. "
            "Save a copy without the password, then send that copy."
        ),
        name,
    )


def _clean_object(obj: pikepdf.Object) -> None:
    for key in _HIDDEN_KEYS:
        if key in obj:
            del obj[key]
    action = obj.get("/A")
    if isinstance(action, pikepdf.Dictionary) and str(action.get("/S", "")) in _ACTIVE_ACTIONS:
        del obj["/A"]
    if obj.get("/FT") == pikepdf.Name.Sig and "/V" in obj:
        del obj["/V"]


def _clean_stream(obj: pikepdf.Object) -> None:
    if not isinstance(obj, pikepdf.Stream):
        return
    if obj.get("/Type") == pikepdf.Name.EmbeddedFile:
        # Still reachable from somewhere unusual (a field, an outline): emptied, not hidden.
        obj.write(b"")
        for key in ("/Params", "/Subtype"):
            if key in obj:
                del obj[key]
        return
    if obj.get("/Subtype") != pikepdf.Name.Image:
        return
    if obj.get("/Filter") != pikepdf.Name.DCTDecode:
        return
    raw = obj.read_raw_bytes()
    cleaned = jpeg_without_metadata(raw)
    if cleaned != raw:
        parms = obj.get("/DecodeParms")  # e.g. /ColorTransform, needed to decode the colours
        if not isinstance(parms, pikepdf.Dictionary | pikepdf.Array):
            parms = None
        obj.write(cleaned, filter=pikepdf.Name.DCTDecode, decode_parms=parms)


def _clean_annotations(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, pikepdf.Array):
            continue
        kept = pikepdf.Array()
        for annot in annots:
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            subtype = annot.get("/Subtype")
            if subtype == pikepdf.Name.FileAttachment:
                continue
            if subtype != pikepdf.Name.Widget and "/T" in annot:
                del annot["/T"]  # on a comment, /T is its author (on a form field, its name)
            for key in _ANNOTATION_DATES:
                if key in annot:
                    del annot[key]
            kept.append(annot)
        page.obj["/Annots"] = kept


def _clean_catalog(pdf: pikepdf.Pdf) -> None:
    root = pdf.Root
    for key in ("/OpenAction", "/Perms", "/Collection"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in ("/EmbeddedFiles", "/JavaScript"):
            if key in names:
                del names[key]
    for key in ("/Info", "/ID"):
        if key in pdf.trailer:
            del pdf.trailer[key]


def strip_pdf(data: bytes, name: str, budget: WorkBudget) -> bytes:
    """Return the PDF rewritten without metadata, or raise ValidationError naming the file."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise _encrypted(name) from exc
    except (pikepdf.PdfError, ValueError, RecursionError) as exc:
        raise _damaged(name) from exc
    with pdf:
        if pdf.is_encrypted:
            raise _encrypted(name)
        # qpdf repairs what it can while reading; a file that needed repair is likely truncated,
        # and a reporter would not know that pages went missing.
        if pdf.get_warnings():
            raise _damaged(name)
        # /Size is one more than the highest object number, read with the cross-reference table;
        # qpdf warns (and the file is refused above) when the table lists objects beyond it.
        budget.check_pdf_objects(int(pdf.trailer.get("/Size", 0)))
        try:
            for count, obj in enumerate(pdf.objects, start=1):
                budget.check_pdf_objects(count)
                if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                    _clean_object(obj)
                    _clean_stream(obj)
            _clean_annotations(pdf)
            _clean_catalog(pdf)
            out = io.BytesIO()
            pdf.save(out, linearize=False, fix_metadata_version=False, static_id=False)
        except (pikepdf.PdfError, ValueError, RecursionError) as exc:
            raise _damaged(name) from exc
        if pdf.get_warnings():
            raise _damaged(name)
    return out.getvalue()
