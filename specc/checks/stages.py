"""Codes reported before the checks run: by the loader and parser (files,
syntax), by the lowering (a value's form, checks local to one declaration,
which files that no spec imports get too), by the linker (names that
resolve to nothing or to two things) and by the name checks of a build
(:mod:`specc.names`).  They are not passes, but their codes
and meanings live in the same registry as the checks'."""

from __future__ import annotations

from . import error, warning

LOADER = (
    error("E001", "syntax error: unexpected token (with did-you-mean for misspelt keywords)"),
    error(
        "E002",
        "syntax error: unexpected character (with hints for smart quotes and `'...'`), an unterminated string or long text, or a decimal where a whole number is expected",
    ),
    error("E003", "cannot read a source file or an imported file, or it is not UTF-8 (at the first bad byte)"),
    error("E004", "import cycle"),
    error("E008", "a control character in the source text (NUL, ESC, form feed, C1 controls, bidirectional overrides; tab and line ends are fine)"),
    warning("W063", "a source file that no spec imports (still parsed, so its errors show)"),
)

LOWERING = (
    error("E005", "a value has the wrong form (number, date, level, keyword)"),
    error("E006", "a field is given twice"),
    error("E007", "a required field is missing (a document's body; a root's document)"),
    error("E014", "unknown environment, evidence kind, outcome kind or requirement kind"),
    error("E020", "a criterion's reference does not belong to its outcome"),
    warning("W031", "a guidance entry names a criterion that does not exist"),
    error("E050", "a range asking for more items than it lists (k > n)"),
    error("E052", "a demand, range or distinct count below 1"),
    error("E053", "a demand's `of which` count greater than the demand's own count"),
)

LINKER = (
    error("E010", "duplicate id (reported before the errors it causes; rules naming a unit declared twice are not solved)"),
    error("E011", "unknown unit or group (in rules, groups, barred pairs)"),
    error("E012", "unknown requirement set (`assessed under`)"),
    error("E013", "unknown evidence or communication method"),
    error("E041", "a barred pair naming a unit with itself"),
)

# names that become file and folder names, checked across the specs of one
# build (specc.names, run by specc.build.compile_all, so `check` reports them)
NAMES = (
    error(
        "E070",
        "a name that cannot be a file name: a Windows device name (`CON`, `nul`, `COM1`-`COM9`, `LPT1`-`LPT9`), an id or number over 100 characters, a body name or title over 250, or two ids of one kind that differ only in case",
    ),
    error("E071", "two specs built together whose document ids give the same output folder"),
)

# the constructs of issue 11 (specc/checks_fidelity.py, run by the compiler after linking)
FIDELITY = (
    error("E015", "unknown `different` name (neither built in nor declared by the document)"),
    warning("W035", "a row's `reuse units` lead-in or `see` link names a unit or criterion that does not exist"),
    error("E054", "the alternatives of an either/or demand ask for different numbers of items"),
)

STAGE_CODES = LOADER + LOWERING + LINKER + NAMES + FIDELITY
