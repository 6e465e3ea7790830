"""Date and time formats, one per language and the same on pages, PDFs and exports.

Why our own: Django's English formats write "12/07/2026" (7 December to an American, 12 July to
everyone else) and "6:27 p.m."; a page mixed them with "2026-12-07 18:19" and "April 1, 2024".
Short dates are ISO 8601 in every language (unambiguous, and what the exports and the audit trail
write); long dates are written out in the reader's language; times are on 24 hours.
"""
