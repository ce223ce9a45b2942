"""Reading a CFPackage: its items and associations, checked, and its tree.

Every bad value is a located warning (codes in :mod:`.importer`) and is
skipped or repaired; the tree is built without recursion (a framework may be
thousands of levels deep in ``isChildOf``).
"""

from __future__ import annotations

import re
import unicodedata

from attrs import define, field

from specc.diagnostics import Diagnostic

from .jsonsrc import JsonFile
from .package import EXT, TYPE_OF_TITLE

SYNONYMS = {
    "module": "unit",
    "course": "unit",
    "outcome": "outcome",
    "learning outcome": "outcome",
    "assessment criteria": "criterion",
    "criterion": "criterion",
    "performance criterion": "criterion",
    "requirement": "requirement",
}
# the construct an item becomes, by its parent's construct, when its type names none
BY_PARENT = {
    None: "unit",
    "qualification": "unit",
    "group": "unit",
    "unit": "outcome",
    "outcome": "criterion",
    "criterion": "criterion",
    "requirements": "requirement",
    "requirement": "range_item",
    "range_item": "range_item",
}
# where each construct may stand (by its parent's construct)
PLACES = {
    "qualification": {None},
    "group": {None},
    "unit": {None, "qualification", "group"},
    "outcome": {"unit"},
    "criterion": {"outcome", "criterion"},
    "requirements": {None},
    "requirement": {"requirements"},
    "range_item": {"requirement", "range_item"},
}


def construct_of(type_title: str | None, parent: str | None) -> tuple[str, bool]:
    """The specc construct of an item: the one its CFItemType names (specc's
    own type titles, and a few common synonyms) if it can stand under its
    parent, else the one its depth gives (document > unit > outcome >
    criterion, deeper levels criteria too; evidence requirements >
    requirement > range item).  The flag says whether the type was
    overruled."""
    named = None
    if type_title:
        t = type_title.strip().lower()
        named = TYPE_OF_TITLE.get(t) or SYNONYMS.get(t)
    if named is not None and parent in PLACES[named]:
        return named, False
    return BY_PARENT[parent], named is not None


# fields the importer reads, or that only say where an object is published
PACKAGE_FIELDS = {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "extensions"}
DOCUMENT_FIELDS = {"identifier", "uri", "creator", "publisher", "title", "version", "language", "statusStartDate", "lastChangeDateTime", "adoptionStatus", "CFPackageURI", "extensions"}
ITEM_FIELDS = {"identifier", "uri", "fullStatement", "humanCodingScheme", "listEnumeration", "notes", "CFItemType", "CFItemTypeURI", "CFDocumentURI", "language", "lastChangeDateTime", "CFItemAssociationURI", "extensions"}
ASSOC_FIELDS = {"identifier", "uri", "associationType", "sequenceNumber", "originNodeURI", "destinationNodeURI", "CFDocumentURI", "lastChangeDateTime", "extensions"}

# the hint of each warning that is not given a more specific one
HELP = {
    "WC10": "CASE gives this field another type; the importer reads on without it",
    "WC11": "CASE requires an identifier and a fullStatement on every item",
    "WC12": "identifiers must be unique within a package; the first object with this one is kept",
    "WC13": "an item cannot be its own ancestor: remove one isChildOf of the cycle",
    "WC14": "an association's origin and destination must be this document or its items (or, for isRelatedTo, an item of a package given with it)",
    "WC16": "add an isChildOf association from it to its parent",
    "WC17": "specc places every item once",
    "WC18": "specc source cannot hold control characters",
    "WC19": "where an item stands in the tree decides what it is (see the README's CASE section)",
    "WC20": "the specc extension is written by specc's `case` emitter; the CASE fields are used instead",
    "WC23": "specc keeps the tree, codes, statements, notes and the links it can map; the package itself is unchanged",
}


@define(eq=False)
class Item:
    identifier: str
    path: tuple
    type_title: str | None
    statement: str
    code: str | None
    enum: str | None
    notes: str | None
    ext: dict
    index: int
    construct: str = ""
    children: list = field(factory=list)  # [(sort key, Item)]
    parent: Item | None = None


@define(eq=False)
class Assoc:
    kind: str
    origin: str
    dest: str
    seq: int | None
    ext: dict
    path: tuple
    index: int


class Reader:
    """One package: its items and associations, checked, with diagnostics."""

    def __init__(self, jf: JsonFile):
        self.jf = jf
        self.diags: list[Diagnostic] = []
        self.items: dict[str, Item] = {}
        self.assocs: list[Assoc] = []
        self.doc: dict = {}
        self.doc_identifier = ""
        self.pkg_ext: dict = {}
        self.doc_ext: dict = {}
        self.by_origin: dict[str, list[Assoc]] = {}
        self.by_dest: dict[str, list[Assoc]] = {}

    # ------------------------------------------------------------- diagnostics
    def warn(self, code: str, message: str, path: tuple, help: str | None = None, key: bool = False) -> None:
        self.diags.append(Diagnostic(code, message, self.jf.span(path, key), help=help or HELP.get(code)))

    def typed(self, obj: dict, key: str, types, path: tuple, what: str):
        """``obj[key]`` if it has one of ``types``; None (with WC10) if it has another."""
        if key not in obj or obj[key] is None:
            return None
        v = obj[key]
        ok = (bool in _tuple(types)) if isinstance(v, bool) else isinstance(v, types)  # JSON true is not a number
        if ok:
            return v
        self.warn("WC10", f"`{key}` of {what} is {_json_type(v)}, not {_type_names(types)}; ignored", path + (key,))
        return None

    def text(self, obj: dict, key: str, path: tuple, what: str) -> str | None:
        v = self.typed(obj, key, str, path, what)
        return None if v is None else self.clean(v, path + (key,))

    def clean(self, s: str, path: tuple) -> str:
        """Newlines made ``\\n``; control characters and lone surrogates,
        which specc source cannot hold, removed (WC18)."""
        s = s.replace("\r\n", "\n").replace("\r", "\n")
        bad = [c for c in s if (unicodedata.category(c) == "Cc" and c not in "\n\t") or "\ud800" <= c <= "\udfff"]
        if bad:
            s = "".join(c for c in s if c not in bad)
            self.warn("WC18", f"removed {len(bad)} control character{'s' if len(bad) != 1 else ''} (U+{ord(bad[0]):04X}{', ...' if len(bad) > 1 else ''}) from this text", path)
        return s

    # ------------------------------------------------------------- reading
    def read(self) -> bool:
        data = self.jf.data
        if not isinstance(data, dict):
            self.diags.append(Diagnostic("EC04", f"a CFPackage is a JSON object, not {_json_type(data)}", self.jf.span(())))
            return False
        doc = data.get("CFDocument")
        if not isinstance(doc, dict):
            self.diags.append(
                Diagnostic("EC04", "no CFDocument object: not a CFPackage", self.jf.span(("CFDocument",) if "CFDocument" in data else ()), help="a CFPackage has CFDocument, CFItems and CFAssociations")
            )
            return False
        self.doc = doc
        ident = self.typed(doc, "identifier", str, ("CFDocument",), "the CFDocument")
        if not ident:
            self.diags.append(Diagnostic("EC04", "the CFDocument has no identifier", self.jf.span(("CFDocument",), key=True), help="CASE requires one: the items' isChildOf associations point at it"))
            return False
        self.doc_identifier = ident
        self.pkg_ext = self.ext(data, ())
        self.doc_ext = self.ext(doc, ("CFDocument",))
        items = self.typed(data, "CFItems", list, (), "the package") or []
        for i, obj in enumerate(items):
            self.read_item(obj, ("CFItems", i), i)
        assocs = self.typed(data, "CFAssociations", list, (), "the package") or []
        for i, obj in enumerate(assocs):
            self.read_assoc(obj, ("CFAssociations", i), i)
        self.unread_fields(data, doc, items, assocs)
        return True

    def unread_fields(self, data: dict, doc: dict, items: list, assocs: list) -> None:
        """WC23 once per field that carries data specc has no place for, at
        its first occurrence (with how many objects have it)."""
        for key in sorted(data):
            if key not in PACKAGE_FIELDS and data[key] not in (None, [], {}):
                self.warn("WC23", f"the package's `{key}` has no specc construct; left out", (key,), key=True)
        groups = [("the CFDocument", DOCUMENT_FIELDS, [(("CFDocument",), doc)]), ("items", ITEM_FIELDS, [(("CFItems", i), o) for i, o in enumerate(items)]), ("associations", ASSOC_FIELDS, [(("CFAssociations", i), o) for i, o in enumerate(assocs)])]
        for what, known, objs in groups:
            seen: dict[str, list[tuple]] = {}
            for path, obj in objs:
                if isinstance(obj, dict):
                    for key, v in obj.items():
                        if key not in known and v not in (None, "", [], {}):
                            seen.setdefault(key, []).append(path)
            for key, paths in seen.items():
                n = f" ({len(paths)} {what})" if what != "the CFDocument" else ""
                self.warn("WC23", f"`{key}` of {what} has no specc construct; left out{n}", paths[0] + (key,), key=True)

    def ext(self, obj: dict, path: tuple) -> dict:
        e = obj.get("extensions")
        if e is None:
            return {}
        if not isinstance(e, dict):
            self.warn("WC10", f"`extensions` is {_json_type(e)}, not an object; ignored", path + ("extensions",))
            return {}
        s = e.get(EXT)
        if s is None:
            return {}
        if not isinstance(s, dict):
            self.warn("WC20", f"`extensions.{EXT}` is {_json_type(s)}, not an object; ignored", path + ("extensions", EXT))
            return {}
        return self.clean_tree(s, path + ("extensions", EXT))

    def clean_tree(self, obj, path: tuple):
        """Every string in extension data made fit for specc source (WC18)."""
        if isinstance(obj, str):
            return self.clean(obj, path)
        if isinstance(obj, dict):
            return {k: self.clean_tree(v, path + (k,)) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.clean_tree(v, path + (i,)) for i, v in enumerate(obj)]
        return obj

    def read_item(self, obj, path: tuple, index: int) -> None:
        if not isinstance(obj, dict):
            self.warn("WC11", f"a CFItem is {_json_type(obj)}, not an object; skipped", path)
            return
        ident = self.typed(obj, "identifier", str, path, "this item")
        statement = self.text(obj, "fullStatement", path, "this item")
        if not ident or statement is None or not statement.strip():
            missing = "an identifier" if not ident else "a fullStatement"
            self.warn("WC11", f"a CFItem without {missing}; skipped", path, help="CASE requires identifier and fullStatement on every item")
            return
        if ident in self.items or ident == self.doc_identifier:
            self.warn("WC12", f"identifier {ident} is used twice; this item is skipped", path + ("identifier",))
            return
        type_title = self.text(obj, "CFItemType", path, "this item")
        if type_title is None and isinstance(obj.get("CFItemTypeURI"), dict):
            type_title = self.text(obj["CFItemTypeURI"], "title", path + ("CFItemTypeURI",), "the item type")
        self.items[ident] = Item(
            identifier=ident,
            path=path,
            type_title=type_title,
            statement=statement.strip(),
            code=_strip(self.text(obj, "humanCodingScheme", path, "this item")),
            enum=_strip(self.text(obj, "listEnumeration", path, "this item")),
            notes=_strip(self.text(obj, "notes", path, "this item")),
            ext=self.ext(obj, path),
            index=index,
        )

    def node_id(self, obj: dict, key: str, path: tuple) -> str | None:
        node = obj.get(key)
        if not isinstance(node, dict):
            self.warn("WC14", f"`{key}` is {_json_type(node)}, not a node object; association ignored", path + ((key,) if key in obj else ()))
            return None
        ident = node.get("identifier")
        if not isinstance(ident, str) or not ident:
            self.warn("WC14", f"`{key}` has no identifier; association ignored", path + (key,))
            return None
        return ident

    def read_assoc(self, obj, path: tuple, index: int) -> None:
        if not isinstance(obj, dict):
            self.warn("WC14", f"a CFAssociation is {_json_type(obj)}, not an object; ignored", path)
            return
        kind = self.typed(obj, "associationType", str, path, "this association")
        if kind is None:
            self.warn("WC14", "a CFAssociation without associationType; ignored", path)
            return
        origin = self.node_id(obj, "originNodeURI", path)
        dest = self.node_id(obj, "destinationNodeURI", path)
        if origin is None or dest is None:
            return
        seq = obj.get("sequenceNumber")
        if isinstance(seq, str) and re.fullmatch(r"\s*-?[0-9]{1,9}\s*", seq):
            seq = int(seq)  # OpenSALT writes strings
        elif seq is not None and not (isinstance(seq, int) and not isinstance(seq, bool)):
            self.warn("WC10", f"`sequenceNumber` is {_json_type(seq)}, not an integer; ignored", path + ("sequenceNumber",))
            seq = None
        a = Assoc(kind, origin, dest, seq, self.ext(obj, path), path, index)
        self.assocs.append(a)
        self.by_origin.setdefault(origin, []).append(a)
        self.by_dest.setdefault(dest, []).append(a)

    # ------------------------------------------------------------- the tree
    def tree(self) -> list[Item]:
        """The document's children (each Item's children filled in), every
        item placed once; cycles, orphans and second parents reported."""
        parent_of: dict[str, tuple[str, Assoc]] = {}
        for a in self.assocs:
            if a.kind != "isChildOf":
                continue
            if a.origin not in self.items:
                self.warn("WC14", f"isChildOf from {a.origin}, which is not an item of this package; ignored", a.path + ("originNodeURI",))
                continue
            if a.dest != self.doc_identifier and a.dest not in self.items:
                self.warn("WC14", f"isChildOf to {a.dest}, which is neither this document nor one of its items; ignored", a.path + ("destinationNodeURI",))
                continue
            if a.origin in parent_of:
                if parent_of[a.origin][0] != a.dest:
                    self.warn("WC17", f"item {a.origin} has a second parent; it stays under its first", a.path, help="specc places every item once")
                continue
            if a.dest == a.origin:
                self.warn("WC13", f"item {a.origin} is its own parent; ignored", a.path)
                continue
            parent_of[a.origin] = (a.dest, a)
        # reachability from the document, and cycles
        children: dict[str, list[tuple[Assoc, Item]]] = {}
        for ident, (p, a) in parent_of.items():
            children.setdefault(p, []).append((a, self.items[ident]))
        reached: set[str] = set()
        stack = [self.doc_identifier]
        while stack:
            cur = stack.pop()
            for _a, it in children.get(cur, []):
                if it.identifier not in reached:
                    reached.add(it.identifier)
                    stack.append(it.identifier)
        reported: set[str] = set()
        for it in sorted(self.items.values(), key=lambda x: x.index):
            if it.identifier in reached or it.identifier in reported:
                continue
            seen: list[str] = []
            cur = it.identifier
            while cur in parent_of and cur not in seen and cur not in reported:
                seen.append(cur)
                cur = parent_of[cur][0]
            if cur in seen:  # a cycle through cur
                a = parent_of[cur][1]
                self.warn("WC13", f"isChildOf associations form a cycle through item {cur}; its items are skipped", a.path, help="an item cannot be its own ancestor")
            elif cur not in reported:
                root = self.items.get(cur)
                if root is not None:
                    self.warn("WC16", f"item {cur} is not in the document's tree (no isChildOf path to the document); skipped with its children", root.path)
            reported.update(seen)
            reported.add(cur)
        # children in published order
        top: list[Item] = []
        for pid, kids in children.items():
            kids.sort(key=lambda ai: _order(ai[0].seq, ai[1]))
            if pid == self.doc_identifier:
                top = [it for _a, it in kids]
            elif pid in reached:
                self.items[pid].children = [it for _a, it in kids]
                for _a, it in kids:
                    it.parent = self.items[pid]
        # constructs, top-down (iteratively: a framework may be deep)
        stack2 = [(it, None) for it in reversed(top)]
        while stack2:
            it, parent = stack2.pop()
            it.construct, overruled = construct_of(it.type_title, parent)
            if overruled:
                self.warn(
                    "WC19",
                    f"an item of type `{it.type_title}` cannot stand under {('the document' if parent is None else 'a ' + parent.replace('_', ' '))}; read as a {it.construct.replace('_', ' ')}",
                    it.path + ("CFItemType",),
                )
            stack2.extend((c, it.construct) for c in reversed(it.children))
        return top


def _order(seq, it: Item):
    return (seq is None, seq or 0, _natural(it.enum), _natural(it.code), it.index)


def _natural(s: str | None) -> tuple:
    if not s:
        return ((2, ""),)
    return tuple((0, int(t), "") if t[0] in "0123456789" else (1, 0, t) for t in re.findall(r"[0-9]+|[^0-9]+", s))


def _strip(s: str | None) -> str | None:
    if s is None:
        return None
    s = s.strip()
    return s or None


def _tuple(t) -> tuple:
    return t if isinstance(t, tuple) else (t,)


def _type_names(types) -> str:
    names = {str: "a string", int: "an integer", list: "an array", dict: "an object", bool: "true or false"}
    return " or ".join(names.get(t, t.__name__) for t in _tuple(types))


def _json_type(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    return "an object"
