"""Built-in emitter ``ir-json``: the compiled IR as documented JSON."""

from specc import export
from specc.hookspecs import hookimpl
from specc.plugins import Emitter


def emit(spec, sink, options):
    sink.write("ir.json", export.chunks(spec))


@hookimpl
def specc_register_emitters():
    return [
        Emitter(
            name="ir-json",
            description="The compiled IR as JSON (shape: specc/schemas/ir.schema.json)",
            produces="ir.json",
            emit=emit,
        )
    ]
