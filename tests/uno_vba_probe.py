"""Run by the system /usr/bin/python3 (Debian's python3-uno), not the project interpreter.

usage: uno_vba_probe.py WORKBOOK OUT_XLSX PROFILE_DIR
Starts a private headless LibreOffice, opens WORKBOOK, prints JSON with the Basic libraries it
imported from the VBA project (module names and source) and each sheet's form buttons (label and
the macro they run), then stores a copy as OUT_XLSX.
"""

import json
import os
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe, proc):
    resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext()
    )
    deadline = time.time() + 60
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if proc.poll() is not None or time.time() > deadline:
                raise
            time.sleep(0.2)


def buttons(sheet):
    """The sheet's form controls as [label, the macro their click runs], in drawing order."""
    labels = [getattr(getattr(s, "Control", None), "Label", None) for s in
              (sheet.DrawPage.getByIndex(i) for i in range(sheet.DrawPage.Count))]
    scripts = []
    forms = sheet.DrawPage.Forms
    for f in range(forms.Count):
        form = forms.getByIndex(f)
        for j in range(form.Count):
            scripts += [e.ScriptCode for e in form.getScriptEvents(j) if e.EventMethod == "actionPerformed"]
    return [[label, script] for label, script in zip([x for x in labels if x is not None], scripts)]


def main():
    workbook, out_xlsx, profile = sys.argv[1:4]
    pipe = "cpdsheets_" + uuid.uuid4().hex
    proc = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation=file://{os.path.abspath(profile)}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    result = {}
    try:
        ctx = connect(pipe, proc)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        url = uno.systemPathToFileUrl(os.path.abspath(workbook))
        # MacroExecutionMode 0 = never run macros: we only want the imported source.
        doc = desktop.loadComponentFromURL(
            url, "_blank", 0, (prop("Hidden", True), prop("MacroExecutionMode", 0))
        )
        if doc is None:
            raise RuntimeError("LibreOffice could not open the workbook")
        libs = doc.BasicLibraries
        result["vba_mode"] = bool(libs.VBACompatibilityMode)
        result["project_name"] = libs.ProjectName if hasattr(libs, "ProjectName") else None
        result["libraries"] = {}
        for lib_name in libs.getElementNames():
            libs.loadLibrary(lib_name)
            lib = libs.getByName(lib_name)
            result["libraries"][lib_name] = {name: lib.getByName(name) for name in lib.getElementNames()}
        result["sheets"] = list(doc.Sheets.getElementNames())
        result["buttons"] = {name: buttons(doc.Sheets.getByName(name)) for name in result["sheets"]}
        doc.storeToURL(
            uno.systemPathToFileUrl(os.path.abspath(out_xlsx)),
            (prop("FilterName", "Calc MS Excel 2007 XML"),),
        )
        doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
