"""A reStructuredText parser whose time grows linearly with the document.

docutils' parser is quadratic in the length of a document with many lists
or directives: at each bullet list, enumerated list, field list, option
list, line block, definition list and explicit markup block (directives,
targets, comments) it hands a nested state machine the *rest of the
document* -- ``state_machine.input_lines[offset:]`` in
``docutils/parsers/rst/states.py`` -- and slicing a
``docutils.statemachine.StringList`` copies its lines and their source
positions (``ViewList.__getitem__``).  A handbook has a few such blocks per
unit, so at 1,000 units most of the parse was copying lines.

:class:`Lines` is a StringList whose slices are views: a slice records the
lines it covers and copies them only when something reads or changes them
as a list (``.data`` / ``.items``); indexing, ``len``, source positions and
the two block readers the parser uses on whole remaining documents
(``get_text_block``, ``get_indented``) work on the view without copying.
:class:`Parser` is docutils' rst parser run on :class:`Lines`, with state
machines that make a state when it is first entered (:class:`_States`)
rather than all fifteen, transitions compiled, for every list and
directive: that halves the time of a handbook's parse.  It makes the
same doctree (tests/test_handbook_lines.py compares the output byte for
byte with docutils' own parser).
"""

from __future__ import annotations

from docutils.parsers import rst
from docutils.parsers.rst import roles, states
from docutils.statemachine import StringList, string2lines


class Lines(StringList):
    """A StringList whose slices copy nothing until they are changed."""

    _view = None  # (data, items, start, stop): the lines this list covers, not yet copied

    def __init__(self, initlist=None, source=None, items=None, parent=None, parent_offset=None, view=None):
        if view is None:
            super().__init__(initlist, source, items, parent, parent_offset)
        else:
            self._view = view
            self.parent = parent
            self.parent_offset = parent_offset

    # the lists themselves, copied from the view when first used
    def _copy(self) -> None:
        data, items, a, b = self._view
        self._view = None
        self._data, self._items = data[a:b], items[a:b]

    @property
    def data(self):
        if self._view is not None:
            self._copy()
        return self._data

    @data.setter
    def data(self, value):
        if self._view is not None:
            self._copy()
        self._data = value

    @property
    def items(self):
        if self._view is not None:
            self._copy()
        return self._items

    @items.setter
    def items(self, value):
        if self._view is not None:
            self._copy()
        self._items = value

    def _where(self):
        """(data, items, start, stop) of this list's lines, without copying."""
        if self._view is not None:
            return self._view
        return self._data, self._items, 0, len(self._data)

    def __len__(self) -> int:
        data, items, a, b = self._where()
        return b - a

    def _index(self, i: int) -> int:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("list index out of range")
        return i

    def __getitem__(self, i):
        data, items, a, b = self._where()
        if isinstance(i, slice):
            assert i.step in (None, 1), "cannot handle slice with stride"
            start, stop, _ = i.indices(b - a)
            stop = max(start, stop)
            return self.__class__(view=(data, items, a + start, a + stop), parent=self, parent_offset=i.start or 0)
        return data[a + self._index(i)]

    def info(self, i):
        data, items, a, b = self._where()
        n = b - a
        if i == n and n:  # just past the end
            return items[a + n - 1][0], None
        return items[a + self._index(i)]

    def get_text_block(self, start, flush_left=False):
        data, items, a, b = self._where()
        end = start
        while a + end < b:
            line = data[a + end]
            if not line.strip():
                break
            if flush_left and line[0] == " ":
                return super().get_text_block(start, flush_left)  # raises, as docutils does
            end += 1
        return self[start:end]

    def get_indented(self, start=0, until_blank=False, strip_indent=True, block_indent=None, first_indent=None):
        # where the indented block ends, found on the view; the block itself
        # (short) is then cut by docutils' own code on a copy of just it
        data, items, a, b = self._where()
        end = start
        if block_indent is not None and first_indent is None:
            first_indent = block_indent
        if first_indent is not None:
            end += 1
        while a + end < b:
            line = data[a + end]
            if line and (line[0] != " " or (block_indent is not None and line[:block_indent].strip())):
                break
            if not line.strip() and until_blank:
                break
            end += 1
        # one line past the block (if any) decides how it finished
        block = self[start : min(end + 1, b - a)]
        got, indent, blank_finish = StringList.get_indented(block, 0, until_blank, strip_indent, block_indent, first_indent)
        return got, indent, blank_finish


class _States(dict):
    """A state machine's states, each made when first entered.  docutils
    makes all fifteen body states, and compiles their transitions, for every
    nested state machine -- one per list, field list and directive, so most
    of a handbook's parse -- where a nested parse enters one or two."""

    def __init__(self, machine, classes):
        super().__init__()
        self.machine = machine
        self.classes = {c.__name__: c for c in classes}
        self.live = False  # the machine's runtime_init has run: a new state needs its own

    def __missing__(self, name):
        cls = self.classes.get(name)
        if cls is None:
            raise KeyError(name)
        state = self[name] = cls(self.machine, self.machine.debug)
        state.nested_sm = _Nested
        if self.live:
            state.runtime_init()
        return state


class _Lazy:
    """States made as they are entered (:class:`_States`)."""

    def add_states(self, state_classes):
        self.states = _States(self, state_classes)

    def runtime_init(self):
        super().runtime_init()
        self.states.live = True

    def unlink(self):
        """Also break each state's cycles (its transitions hold bound methods
        of itself), so that a finished machine is freed by reference counting
        rather than left for a full collection."""
        states = list(self.states.values())
        super().unlink()
        for state in states:
            vars(state).clear()


class _Nested(_Lazy, states.NestedStateMachine):
    pass


class _StateMachine(_Lazy, states.RSTStateMachine):
    def run(self, input_lines, document, input_offset=0, match_titles=True, inliner=None):
        if not isinstance(input_lines, StringList):
            input_lines = Lines(input_lines, source=document["source"])
        return super().run(input_lines, document, input_offset, match_titles, inliner)


class Parser(rst.Parser):
    """docutils' reStructuredText parser, run on :class:`Lines`."""

    def parse(self, inputstring, document) -> None:
        self.setup_parse(inputstring, document)
        self.document.settings.setdefault("tab_width", 8)
        self.document.settings.setdefault("syntax_highlight", "long")
        self.statemachine = _StateMachine(state_classes=self.state_classes, initial_state=self.initial_state, debug=document.reporter.debug_flag)
        inputlines = string2lines(inputstring, tab_width=document.settings.tab_width, convert_whitespace=True)
        for i, line in enumerate(inputlines):
            if len(line) > self.document.settings.line_length_limit:
                self.document.append(self.document.reporter.error(f"Line {i + 1} exceeds the line-length-limit."))
                break
        else:
            self.statemachine.run(inputlines, document, inliner=self.inliner)
            self.statemachine.unlink()
        if "" in roles._roles:
            del roles._roles[""]
        self.finish_parse()
