"""Build a VBA project (xl/vbaProject.bin) from text sources, on any OS.

compression: MS-OVBA 2.4.1 container compression; cfb: a Compound File writer; modules: .bas/.cls
text to stored module text; project: the PROJECT, dir and module streams of a VBA project.
"""

from cpdsheets.doors.vba.modules import ModuleKind, VbaModule
from cpdsheets.doors.vba.project import (
    VbaBuildError,
    build_from_sources,
    build_vba_project,
    load_modules,
)

__all__ = ["ModuleKind", "VbaBuildError", "VbaModule", "build_from_sources", "build_vba_project", "load_modules"]
