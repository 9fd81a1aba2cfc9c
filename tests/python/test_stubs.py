"""python/jwtbatch.pyi describes the module as it is: every public name, and
Verifier's methods and parameters."""
import ast
import inspect
import pathlib
import re

import jwtbatch
from conftest import ROOT

STUB = ROOT / "python" / "jwtbatch.pyi"
ALIASES = {"StrPath", "Time", "Token", "Record", "ScanRecord"}  # the stub's own type names


def stub_tree():
    return ast.parse(STUB.read_text())


def test_stub_names_are_the_modules():
    names = set()
    for node in stub_tree().body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets)
    public = {n for n in dir(jwtbatch) if not n.startswith("_")}
    assert names - ALIASES == public


def test_stub_verifier_matches():
    cls = next(n for n in stub_tree().body if isinstance(n, ast.ClassDef) and n.name == "Verifier")
    members = {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}
    public = {n for n in dir(jwtbatch.Verifier) if not n.startswith("_")}
    assert set(members) - {"__init__"} == public
    stub_params = [a.arg for a in members["__init__"].args.args[1:]] + [
        a.arg for a in members["__init__"].args.kwonlyargs]
    signature = jwtbatch.Verifier.__init__.__doc__
    module_params = re.findall(r"(\w+): [\w.]+(?: = [^,)]+)?", signature.split("(", 1)[1])[1:]
    assert stub_params == module_params
    for name in ("verify", "verify_columns"):
        assert [a.arg for a in members[name].args.args] == ["self", "tokens", "at"]


def test_every_status_has_a_typed_constant():
    text = STUB.read_text()
    for name in jwtbatch.STATUSES:
        assert f"\n{name.upper()}: Final[str]" in text


def test_stub_scan_matches():
    scan = next(n for n in stub_tree().body if isinstance(n, ast.FunctionDef) and n.name == "scan")
    stub_params = [a.arg for a in scan.args.args] + [a.arg for a in scan.args.kwonlyargs]
    signature = jwtbatch.scan.__doc__.split("\n", 1)[0]  # pybind11's: "scan(lines: object, ..."
    module_params = re.findall(r"(\w+): [\w.]+", signature.split("(", 1)[1])
    assert stub_params == module_params
