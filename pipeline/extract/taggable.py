"""Which sentences the tagger must read: those whose spans can change a record.

A span counts through four readers, and each needs a Han character (U+4E00–U+9FFF) in the
span or in the sentence, except one: a person name from a span (``people.person_name``:
Han or name dots, the dots stripped from the ends), a name of a ``、`` list, before a title,
after a byline or before a post in brackets (``_surname_name``: a known surname), an
organization (``organizations.tagged_organizations``: a Han character), and a word vote
(``tagger.outvoted``: a sentence's words can outvote only strings written in it, so strings
without Han, which none of the readers above keeps). The exception is a Latin-script name
(``people._latin_names``: two to four capitalised words), kept when a PER span overlaps it.
So a sentence with neither a Han character nor such a name gives the same records whatever
the tagger reads in it, and is not tagged (number lines, English captions, URLs).
"""
from __future__ import annotations

import re

from .people import _LATIN_FULL

_HAN = re.compile("[\u4e00-\u9fff]")


def needs_tags(sentence: str) -> bool:
    """Whether the tagger's words of ``sentence`` can change a record (see the module doc)."""
    return bool(_HAN.search(sentence) or _LATIN_FULL.search(sentence))
