"""Signature fields signed as an assessor signs them: a built form is filled
in (pypdf, as a PDF form filler saves it), the assessor's signature field is
signed with a real signing tool (pyHanko, an incremental update, a throwaway
self-signed certificate made here with ``cryptography``), and pyHanko's
validation says what a centre's PDF reader would: the signature is intact,
covers the document, sits in the named field; the other signature fields are
still empty and signable (the IQA counter-signs), and what was typed survives.
"""

from __future__ import annotations

import datetime
import io

import pypdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.form_tools import enumerate_fields_in
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from specc_plugins import forms as forms_plugin

# (spec, form, who signs first, who counter-signs): the README's slot ids
CASES = [
    ("cg4411", "unit-101", "u101.decl.assessor", "u101.decl.internal_quality_assurer"),
    ("ncfe_601_3972_9", "assessment-tracking-sheet-601-3972-9", "q.601-3972-9.assessor", "q.601-3972-9.internal_quality_assurer"),
    ("ncfe_601_3972_9", "unit-09-letl", "u09.statement.assessor", "u09.statement.learner"),
]


@pytest.fixture(scope="module")
def built(specs):
    """{(spec, form id): (form model, PDF bytes)} for the CASES forms."""
    from specc import plugins
    from specc_plugins.forms import render as r

    out = {}
    for sid in sorted({c[0] for c in CASES}):
        spec = specs[sid]
        style = plugins.style_for(plugins.form_styles(), spec, None)
        forms = {f.id: f for f in style.render(spec, {})}
        for _, fid, *_ in (c for c in CASES if c[0] == sid):
            fm = forms[fid]
            html = r.to_html(fm, spec.document.body.name, style.name, forms_plugin.edition(spec.document))
            out[sid, fid] = fm, r.to_pdf(html, fm)
    return out


class Person:
    """A signer with a throwaway self-signed certificate (EC P-256)."""

    def __init__(self, name: str):
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        usage = dict.fromkeys(
            ("key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, **usage), critical=True)
            .sign(key, hashes.SHA256())
        )
        self.cert = next(load_certs_from_pemder_data(cert.public_bytes(serialization.Encoding.PEM)))
        pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        self.signer = signers.SimpleSigner(
            signing_cert=self.cert,
            signing_key=load_private_key_from_pemder_data(pem_key, passphrase=None),
            cert_registry=SimpleCertificateStore.from_certs([self.cert]),
        )

    def sign(self, pdf: bytes, field: str) -> bytes:
        """Sign the existing signature field ``field`` (never a new one)."""
        meta = signers.PdfSignatureMetadata(field_name=field, reason="Assessment decision", location="Centre")
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=self.signer, existing_fields_only=True)
        return out.getvalue()


def text_fields_to_fill(fm, first: str, count: int = 4) -> dict[str, str]:
    """The identity, the first signer's date and the first few text fields
    of the record, with values an assessor would write."""
    values = {"candidate.name": "Alex Morgan", "candidate.registration": "REG00001", f"{first}.date": "12/03/2025"}
    record = [f.name for f in fm.fields() if f.kind == "text" and not f.name.startswith(("candidate.", "centre.", "assessor.", "iqa."))]
    values |= {name: f"E{i}" for i, name in enumerate(record[:count], start=1)}
    return values


def fill(pdf: bytes, values: dict[str, str], incremental: bool = False) -> bytes:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    writer = pypdf.PdfWriter(reader, incremental=True) if incremental else pypdf.PdfWriter(clone_from=reader)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def statuses(pdf: bytes, people: list[Person]) -> dict:
    """Signed field name -> pyHanko's validation status."""
    reader = PdfFileReader(io.BytesIO(pdf))
    context = ValidationContext(trust_roots=[p.cert for p in people])
    return {s.field_name: validate_pdf_signature(s, context) for s in reader.embedded_signatures}


def sig_fields(pdf: bytes) -> dict[str, bool]:
    """Every signature field pyHanko finds: full name -> signed or not."""
    reader = PdfFileReader(io.BytesIO(pdf))
    return {name: value is not None for name, value, _ in enumerate_sig_fields(reader)}


def full_name(widget) -> str:
    """A widget's fully qualified field name (pypdf objects)."""
    parts, node = [], widget
    while node is not None:
        if "/T" in node:
            parts.append(str(node["/T"]))
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return ".".join(reversed(parts))


def value_in_revision(pdf: bytes, revision: int, name: str):
    reader = PdfFileReader(io.BytesIO(pdf))
    root = reader.get_historical_resolver(revision).root
    found = list(enumerate_fields_in(root["/AcroForm"]["/Fields"], with_name=name, refs_seen=set(), target_field_type="/Tx"))
    return str(found[0][1]) if found else None


@pytest.mark.parametrize(("sid", "fid", "first", "second"), CASES, ids=[c[1] for c in CASES])
def test_assessor_signs_a_filled_form_and_a_counter_signature_follows(built, sid, fid, first, second):
    fm, pdf = built[sid, fid]
    model_sigs = sorted(f.name for f in fm.fields() if f.kind == "signature")
    assert f"{first}.signature" in model_sigs and f"{second}.signature" in model_sigs
    assert sig_fields(pdf) == dict.fromkeys(model_sigs, False)

    values = text_fields_to_fill(fm, first)
    filled = fill(pdf, values)
    assessor, counter = Person("J. Smith (assessor)"), Person("K. Lee (second signer)")

    once = assessor.sign(filled, f"{first}.signature")
    assert once.startswith(filled)  # an incremental update: the filled file is kept byte for byte
    st = statuses(once, [assessor])
    assert list(st) == [f"{first}.signature"]  # the named field, by its slot id
    s = st[f"{first}.signature"]
    assert s.intact and s.valid and s.trusted and s.bottom_line, s.pretty_print_details()
    assert s.coverage == SignatureCoverageLevel.ENTIRE_FILE and s.modification_level == ModificationLevel.NONE
    assert sig_fields(once) == {n: n == f"{first}.signature" for n in model_sigs}

    # the field is where the form prints "<Role> signature": a widget on a page, inside it
    reader = PdfFileReader(io.BytesIO(once))
    sig = reader.embedded_signatures[0]
    widget = sig.sig_field
    page = widget["/P"]
    assert any(a.get_object() is widget or a.get_object() == widget for a in page["/Annots"])
    x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
    mx0, my0, mx1, my1 = (float(v) for v in page["/MediaBox"])
    assert mx0 <= x0 < x1 <= mx1 and my0 <= y0 < y1 <= my1 and (y1 - y0) >= 8 / 25.4 * 72
    assert "/AP" in widget  # the signing tool drew its stamp in the field
    assert str(widget["/TU"]) == next(f.label for f in fm.fields() if f.name == f"{first}.signature")
    # pyHanko turned on append-only with the first signature
    assert int(reader.root["/AcroForm"]["/SigFlags"]) == 3

    # the same field cannot be signed twice; a field the form lacks is not made up
    with pytest.raises(SigningError):
        counter.sign(once, f"{first}.signature")
    with pytest.raises(SigningError):
        counter.sign(once, f"{first}.countersignature")

    twice = counter.sign(once, f"{second}.signature")
    st = statuses(twice, [assessor, counter])
    assert set(st) == {f"{first}.signature", f"{second}.signature"}
    s1, s2 = st[f"{first}.signature"], st[f"{second}.signature"]
    # the first signature is still valid: what came after it is a signature
    assert s1.intact and s1.valid and s1.bottom_line and s1.docmdp_ok, s1.pretty_print_details()
    assert s1.coverage == SignatureCoverageLevel.ENTIRE_REVISION and s1.modification_level == ModificationLevel.FORM_FILLING
    assert s2.intact and s2.valid and s2.bottom_line and s2.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert sig_fields(twice) == {n: n in (f"{first}.signature", f"{second}.signature") for n in model_sigs}

    # what was typed survives both signatures, with appearances (the signing
    # tool clears /NeedAppearances, so a reader shows the filled appearances)
    final = pypdf.PdfReader(io.BytesIO(twice))
    fields = final.get_fields()
    for name, value in values.items():
        assert fields[name]["/V"] == value, name
    assert "/NeedAppearances" not in final.trailer["/Root"]["/AcroForm"]
    shown = [full_name(a.get_object()) for p in final.pages for a in p.get("/Annots") or () if "/N" in a.get_object().get("/AP", {})]
    assert set(values) <= set(shown)


def test_a_change_after_signing_is_reported_and_the_signed_revision_keeps_the_signed_value(built):
    """The candidate edits an evidence reference after the assessor signed:
    the signature stays intact, the validator reports the change and the
    signed revision still holds what the assessor signed."""
    fm, pdf = built["cg4411", "unit-101"]
    values = text_fields_to_fill(fm, "u101.decl.assessor")
    name = next(n for n in values if n.startswith("u101."))
    assessor = Person("J. Smith (assessor)")
    signed = assessor.sign(fill(pdf, values), "u101.decl.assessor.signature")
    edited = fill(signed, {name: "E99"}, incremental=True)
    assert edited.startswith(signed)
    s = statuses(edited, [assessor])["u101.decl.assessor.signature"]
    assert s.intact and s.valid
    assert s.coverage == SignatureCoverageLevel.ENTIRE_REVISION and s.modification_level >= ModificationLevel.FORM_FILLING
    rev = PdfFileReader(io.BytesIO(edited)).embedded_signatures[0].signed_revision
    assert value_in_revision(edited, rev, name) == values[name]
    assert pypdf.PdfReader(io.BytesIO(edited)).get_fields()[name]["/V"] == "E99"


def test_unsigned_forms_declare_their_signature_fields(built):
    """Before anyone signs: /SigFlags 1 (signature fields exist), every
    signature field empty, printable, on its page, with a human tooltip, and
    the widget tagged as a /Form structure element whose kid is the widget."""
    for (_, fid), (fm, pdf) in built.items():
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        acro = reader.trailer["/Root"]["/AcroForm"]
        assert int(acro["/SigFlags"]) == 1, fid
        labels = {f.name: f.label for f in fm.fields() if f.kind == "signature"}
        found = {}
        for page in reader.pages:
            for a in page.get("/Annots") or ():
                w = a.get_object()
                if w.get("/FT") != "/Sig":
                    continue
                name = full_name(w)
                assert "/V" not in w and int(w["/F"]) & 4 and not int(w["/F"]) & 2, name
                assert w["/P"].get_object() == page.get_object(), name
                x0, y0, x1, y1 = (float(v) for v in w["/Rect"])
                assert x0 < x1 and y0 < y1, name
                found[name] = str(w["/TU"])
        assert found == labels, fid
        # structure: every widget reachable as /K of a /Form element
        objr = []
        stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
        while stack:
            e = stack.pop().get_object()
            k = e.get("/K")
            if k is None:
                continue
            k = k.get_object()
            if e.get("/S") == "/Form" and isinstance(k, pypdf.generic.DictionaryObject):
                objr.append(k["/Obj"].get_object())
            for x in k if isinstance(k, pypdf.generic.ArrayObject) else [k]:
                x = x.get_object()
                if isinstance(x, pypdf.generic.DictionaryObject) and "/K" in x:
                    stack.append(x)
        assert sum(1 for o in objr if o.get("/FT") == "/Sig") == len(labels), fid


EVERY_KIND = {  # a form of every kind that has signature fields, per body
    "cg4411": (
        "expert-witness-status-list",
        "assessment-plan-review-and-feedback",
        "achievement-summary-4411-30",
        "unit-101-observation-record",
        "unit-101-witness-testimony",
        "unit-101-candidate-statement",
        "unit-101-professional-discussion-record",
        "unit-101-questioning-record",
    ),
    "cfa_cs": ("range-checklist-deal_with_customers_face_to_face",),
}


@pytest.mark.slow
def test_every_signature_field_of_every_kind_signs_in_turn(specs):
    """Each signer signs their field in turn (the candidate, a witness, the
    assessor ...); after the last, every signature is still valid."""
    from specc import plugins
    from specc_plugins.forms import render as r

    for sid, ids in EVERY_KIND.items():
        spec = specs[sid]
        style = plugins.style_for(plugins.form_styles(), spec, None)
        forms = {f.id: f for f in style.render(spec, {})}
        for fid in ids:
            fm = forms[fid]
            pdf = r.to_pdf(r.to_html(fm, spec.document.body.name, style.name, forms_plugin.edition(spec.document)), fm)
            pdf = fill(pdf, {"candidate.name": "Alex Morgan"})
            names = [f.name for f in fm.fields() if f.kind == "signature"][:3]
            assert names, fid
            people = []
            for name in names:
                people.append(Person(name))
                pdf = people[-1].sign(pdf, name)
            st = statuses(pdf, people)
            assert sorted(st) == sorted(names), fid
            bad = {k: s.summary() for k, s in st.items() if not (s.intact and s.valid and s.bottom_line)}
            assert not bad, (fid, bad)
            assert st[names[-1]].coverage == SignatureCoverageLevel.ENTIRE_FILE
