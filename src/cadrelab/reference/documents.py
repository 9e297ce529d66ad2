"""Which document governs a topic on a day: the law a lesson names for that day."""

from __future__ import annotations

from pydantic import Field

from cadrelab.reference.facts import Fact, FactTable, register


class GoverningDocument(Fact):
    """The main legal document for one topic (personal data, civil status …) while in force."""

    topic: str = Field(pattern=r"^[a-z_]+$")
    document: str
    name_vi: str
    note: str | None = None


DOCUMENTS = register(
    FactTable(
        "governing_documents",
        GoverningDocument,
        ("topic",),
        "the main legal document of a topic, by date",
        one="governing_document",
        many="governing_documents",
    )
)


def governing_documents(*, on: object, teachable: bool = False) -> tuple[GoverningDocument, ...]:
    return DOCUMENTS.in_force(on, teachable=teachable)


def governing_document(topic: str, *, on: object, teachable: bool = False) -> GoverningDocument:
    """The document governing ``topic`` on ``on`` (e.g. personal data on a dossier's date)."""
    return DOCUMENTS.get(topic, on, noun="topic", teachable=teachable)
