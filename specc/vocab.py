"""Controlled vocabularies shared by every body: evidence methods and
communication methods.  A document may add methods of its own with
``method NAME "label"``; free text goes in evidence-guide notes."""

EVIDENCE_METHODS: dict[str, str] = {
    "observation": "Observation of performance",
    "witness_testimony": "Witness testimony",
    "work_product": "Work products",
    "oral_questioning": "Oral questioning",
    "written_questioning": "Written questions",
    "professional_discussion": "Professional discussion",
    "candidate_statement": "Candidate statement",
    "reflective_account": "Reflective account",
    "assignment": "Assignment",
    "project": "Project",
    "presentation": "Presentation",
    "worksheet": "Worksheet or workbook",
    "recorded_discussion": "Recorded discussion",
    "diary": "Diary or log",
    "expert_witness": "Expert witness",
    "simulation": "Simulation",
    "rpl": "Recognition of prior learning",
    "learner_report": "Learner or peer report",
}

COMMUNICATION_METHODS: dict[str, str] = {
    "face_to_face": "face to face",
    "writing": "in writing",
    "telephone": "by telephone",
    "text_message": "text message",
    "email": "e-mail",
    "internet": "internet (including social networking)",
    "intranet": "intranet",
    "verbal": "verbal",
    "other": "any other method expected within the job role",
}

# Command verbs: the verbs of assessment that a qualification's glossary
# explains ("Assess", "Explain").  Every verb of a knowledge criterion is one;
# in a performance criterion ("Greet customers", "Check the order") only
# these are, so W060 asks the glossary for them wherever they appear.
COMMAND_VERBS: frozenset[str] = frozenset(
    {
        "analyse",
        "assess",
        "compare",
        "contrast",
        "define",
        "describe",
        "discuss",
        "evaluate",
        "examine",
        "explain",
        "identify",
        "interpret",
        "justify",
        "list",
        "outline",
        "reflect",
        "review",
        "state",
        "summarise",
    }
)

DIFFERENT: dict[str, tuple[str, str]] = {
    "occasions": ("date", "different occasions (the date of each item)"),
    "customers": ("customer", "different customers (the customer each item names)"),
}
"""The built-in ``different`` names: name -> (the portfolio evidence field
whose values must differ, what it means).  A document declares more with
``different NAME "what must differ"`` (the field is NAME)."""
