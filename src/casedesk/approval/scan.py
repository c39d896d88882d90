"""Every outside call the adapters make, found by reading their source with `ast` (never by
running it), so the approval manifest can be checked against the code.

A small inference follows which expressions hold an SDK client: constructors
(`QueueClient(...)`, `openai.AzureOpenAI(...)`, `msal.ManagedIdentityClient(...)`,
`httpx.AsyncClient(...)`), a parameter annotated `GraphCaller` and its `.client`, `self.<attr>`
assigned in any method of the class, locals (including `with ... as x` and the enclosing
function's locals), helper methods and functions that return one. Microsoft Graph request
builder chains (`client.users.by_user_id(x).messages.by_message_id(y).content.get()`) are
kept as steps and turned into URL templates by msgraph-sdk itself (graph_urls.py), so the
template is the SDK's, not a guess. A call the inference cannot follow is not reported:
that is the limit of a static scan, and why the e2e tests also compare the requests the local
Graph server received with the manifest (tests/e2e/test_approval_traffic.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from casedesk.errors import CaseDeskError

GRAPH = "Microsoft Graph"
QUEUE = "Azure Queue Storage"
TABLE = "Azure Table Storage"
OPENAI = "Azure OpenAI"
ENTRA = "Microsoft Entra ID"
PLAIN_HTTPS = "HTTPS (pre-authorised URL)"

HTTP_VERBS = ("get", "post", "patch", "put", "delete")
_REQUEST_INFO = re.compile(r"^to_(get|post|patch|put|delete)_request_information$")
# Dotted constructor (as written in the source) -> the kind of client it makes.
CONSTRUCTORS = {
    "GraphServiceClient": "graph",
    "QueueClient": "queue",
    "QueueClient.from_connection_string": "queue",
    "TableClient": "table",
    "TableClient.from_connection_string": "table",
    "openai.AzureOpenAI": "openai",
    "openai.OpenAI": "openai",
    "msal.ConfidentialClientApplication": "msal-app",
    "msal.ManagedIdentityClient": "msal-mi",
    "httpx.AsyncClient": "http",
    "httpx.Client": "http",
}
# Client kind -> (API, class name used in endpoint names).
SDK_CLIENTS = {
    "queue": (QUEUE, "QueueClient"),
    "table": (TABLE, "TableClient"),
    "msal-app": (ENTRA, "ConfidentialClientApplication"),
    "msal-mi": (ENTRA, "ManagedIdentityClient"),
}
# Free functions that call out by themselves.
FREE_CALLS = {"get_bearer_token_provider": (ENTRA, "azure.identity.get_bearer_token_provider")}
NOT_NETWORK = frozenset({"close", "with_options", "__enter__", "__exit__"})
CALLER_TYPE = "GraphCaller"

Function = ast.FunctionDef | ast.AsyncFunctionDef


class ScanError(CaseDeskError):
    """The scanner met a call it recognises but cannot resolve (names the file and line)."""


@dataclass(frozen=True)
class Step:
    """One link of a Graph request-builder chain: an attribute, or a by_*(...) call."""

    name: str
    args: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Kind:
    client: str
    steps: tuple[Step, ...] = ()

    def then(self, step: Step) -> Kind:
        return replace(self, steps=(*self.steps, step))


@dataclass(frozen=True)
class CallSite:
    """One outside call in the source: where, to which API, and which endpoint."""

    file: str
    line: int
    function: str
    api: str
    endpoint: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class _Ctx:
    module: _Module
    cls: ast.ClassDef | None
    chain: tuple[Function, ...]  # enclosing functions, outermost first

    @property
    def qualname(self) -> str:
        names = [self.cls.name] if self.cls else []
        return ".".join([*names, *(f.name for f in self.chain)])


@dataclass(frozen=True)
class _Module:
    rel: str
    tree: ast.Module


def _own_nodes(fn: Function) -> Iterator[ast.AST]:
    """The nodes of a function, not descending into nested functions or lambdas."""
    stack: list[ast.AST] = list(fn.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _render(arg: ast.expr) -> str:
    """A path argument as shown in a template: a literal as written, anything else {id}."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr):
        parts = []
        for value in arg.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                parts.append("{" + (_dotted(value.value) or "value").split(".")[-1] + "}")
        return "".join(parts)
    return "{id}"


def _bindings(fn: Function, name: str) -> Iterator[ast.expr]:
    """Expressions assigned to a local name in this function (not nested ones)."""
    for node in _own_nodes(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                yield from _matching(target, node.value, name)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            yield from _matching(node.target, node.value, name)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == name:
                    yield item.context_expr


def _matching(target: ast.expr, value: ast.expr, name: str) -> Iterator[ast.expr]:
    if isinstance(target, ast.Name) and target.id == name:
        yield value
    elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        for t, v in zip(target.elts, value.elts, strict=False):
            yield from _matching(t, v, name)


def _self_bindings(fn: Function, attr: str) -> Iterator[ast.expr]:
    for node in _own_nodes(fn):
        targets: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(node, ast.Assign):
            targets = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [(node.target, node.value)]
        for target, value in targets:
            pairs = (
                list(zip(target.elts, value.elts, strict=False))
                if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                else [(target, value)]
            )
            for t, v in pairs:
                if (
                    isinstance(t, ast.Attribute)
                    and t.attr == attr
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "self"
                ):
                    yield v


def _methods(cls: ast.ClassDef) -> dict[str, Function]:
    return {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _returns(fn: Function) -> Iterator[ast.expr]:
    for node in _own_nodes(fn):
        if isinstance(node, ast.Return) and node.value is not None:
            yield node.value


class _Reader:
    def __init__(self, modules: list[_Module]) -> None:
        self.modules = modules
        self._busy: set[tuple[str, ...]] = set()
        self.functions: dict[str, list[tuple[_Module, Function]]] = {}
        for module in modules:
            for node in module.tree.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.functions.setdefault(node.name, []).append((module, node))

    def _guarded(self, key: tuple[str, ...], exprs: Iterable[tuple[ast.expr, _Ctx]]) -> Kind | None:
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            for expr, ctx in exprs:
                found = self.kind_of(expr, ctx)
                if found is not None:
                    return found
            return None
        finally:
            self._busy.discard(key)

    # --- what an expression holds ---------------------------------------------------------

    def kind_of(self, node: ast.expr, ctx: _Ctx) -> Kind | None:
        if isinstance(node, ast.Await):
            return self.kind_of(node.value, ctx)
        if isinstance(node, ast.IfExp):
            return self.kind_of(node.body, ctx) or self.kind_of(node.orelse, ctx)
        if isinstance(node, ast.Name):
            return self._name(node.id, ctx)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, ctx)
        if isinstance(node, ast.Call):
            return self._call_result(node, ctx)
        return None

    def _name(self, name: str, ctx: _Ctx) -> Kind | None:
        for depth in range(len(ctx.chain), 0, -1):
            fn, inner = ctx.chain[depth - 1], replace(ctx, chain=ctx.chain[:depth])
            for arg in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]:
                annotation = ast.unparse(arg.annotation) if arg.annotation else ""
                if arg.arg == name and CALLER_TYPE in annotation:
                    return Kind("graph-caller")
            key = ("local", ctx.module.rel, ctx.qualname, str(depth), name)
            found = self._guarded(key, ((e, inner) for e in _bindings(fn, name)))
            if found is not None:
                return found
        return None

    def _attribute(self, node: ast.Attribute, ctx: _Ctx) -> Kind | None:
        if isinstance(node.value, ast.Name) and node.value.id == "self" and ctx.cls:
            return self._self_attr(ctx, node.attr)
        base = self.kind_of(node.value, ctx)
        if base is None:
            return None
        if base.client == "graph-caller":
            return Kind("graph") if node.attr == "client" else None
        return base.then(Step(node.attr))

    def _self_attr(self, ctx: _Ctx, attr: str) -> Kind | None:
        assert ctx.cls is not None
        pairs = (
            (value, _Ctx(ctx.module, ctx.cls, (method,)))
            for method in _methods(ctx.cls).values()
            for value in _self_bindings(method, attr)
        )
        return self._guarded(("attr", ctx.module.rel, ctx.cls.name, attr), pairs)

    def _call_result(self, node: ast.Call, ctx: _Ctx) -> Kind | None:
        func = node.func
        dotted = _dotted(func)
        if dotted in CONSTRUCTORS:
            return Kind(CONSTRUCTORS[dotted])
        if isinstance(func, ast.Name):
            return self._function(func.id)
        if not isinstance(func, ast.Attribute):
            return None
        if isinstance(func.value, ast.Name) and func.value.id == "self" and ctx.cls:
            method = _methods(ctx.cls).get(func.attr)
            if method is not None:
                inner = _Ctx(ctx.module, ctx.cls, (method,))
                key = ("method", ctx.module.rel, ctx.cls.name, func.attr)
                return self._guarded(key, ((r, inner) for r in _returns(method)))
        receiver = self.kind_of(func.value, ctx)
        if receiver is not None and receiver.client == "graph":
            if func.attr == "with_url":  # a nextLink/deltaLink for the same builder
                return receiver
            if func.attr.startswith("by_"):
                args = tuple(_render(self._literal(a, ctx)) for a in node.args)
                return receiver.then(Step(func.attr, args))
        return None

    def _literal(self, arg: ast.expr, ctx: _Ctx) -> ast.expr:
        """A local name bound once to a string or f-string: that string (for the template)."""
        if isinstance(arg, ast.Name):
            for fn in reversed(ctx.chain):
                bound = list(_bindings(fn, arg.id))
                if len(bound) == 1 and isinstance(bound[0], ast.Constant | ast.JoinedStr):
                    return bound[0]
        return arg

    def _function(self, name: str) -> Kind | None:
        pairs = (
            (r, _Ctx(module, None, (fn,)))
            for module, fn in self.functions.get(name, [])
            for r in _returns(fn)
        )
        return self._guarded(("function", name), pairs)

    # --- the calls ------------------------------------------------------------------------

    def call_sites(self) -> Iterator[tuple[ast.Call, _Ctx, Kind | None, str]]:
        for module in self.modules:
            for ctx, fn in _functions(module):
                for node in _own_nodes(fn):
                    if isinstance(node, ast.Call):
                        yield from self._classify(node, replace(ctx, chain=(*ctx.chain, fn)))

    def _classify(
        self, call: ast.Call, ctx: _Ctx
    ) -> Iterator[tuple[ast.Call, _Ctx, Kind | None, str]]:
        func = call.func
        if isinstance(func, ast.Name) and func.id in FREE_CALLS:
            yield call, ctx, None, func.id
            return
        if not isinstance(func, ast.Attribute) or func.attr in NOT_NETWORK:
            return
        receiver = self.kind_of(func.value, ctx)
        if receiver is not None and receiver.client != "graph-caller":
            yield call, ctx, receiver, func.attr


def _functions(module: _Module) -> Iterator[tuple[_Ctx, Function]]:
    """Every function with its class and enclosing functions (the chain excludes itself)."""

    def walk(
        body: list[ast.stmt], cls: ast.ClassDef | None, chain: tuple[Function, ...]
    ) -> Iterator[tuple[_Ctx, Function]]:
        for node in body:
            if isinstance(node, ast.ClassDef):
                yield from walk(node.body, node, ())
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield _Ctx(module, cls, chain), node
                nested = [n for n in _own_nodes(node) if isinstance(n, ast.stmt)]
                yield from walk(nested, cls, (*chain, node))

    yield from walk(module.tree.body, None, ())


def _endpoint(call: ast.Call, receiver: Kind | None, method: str) -> tuple[str, str] | None:
    """(API, endpoint) for a classified call, or None when it is not an outside call."""
    if receiver is None:
        return FREE_CALLS[method]
    if receiver.client == "graph":
        match = _REQUEST_INFO.match(method)
        verb = method if method in HTTP_VERBS else (match.group(1) if match else None)
        if verb is None:
            return None
        from casedesk.approval.graph_urls import graph_endpoint

        return GRAPH, graph_endpoint(verb.upper(), receiver.steps)
    if receiver.client in SDK_CLIENTS and not receiver.steps:
        api, class_name = SDK_CLIENTS[receiver.client]
        return api, f"{class_name}.{method}"
    if receiver.client == "openai":
        return OPENAI, ".".join([*(s.name for s in receiver.steps), method])
    if receiver.client == "http" and method in HTTP_VERBS and call.args:
        return PLAIN_HTTPS, f"{method.upper()} {{{ast.unparse(call.args[0])}}}"
    return None


def scan(paths: Iterable[Path], base: Path) -> list[CallSite]:
    """The outside calls in these Python files, sorted by file and line.

    `base` is the directory file names are shown relative to (the repository root)."""
    modules = []
    for path in sorted(paths):
        source = path.read_text(encoding="utf-8")
        rel = path.resolve().relative_to(base.resolve()).as_posix()
        modules.append(_Module(rel, ast.parse(source, filename=rel)))
    reader = _Reader(modules)
    found: set[CallSite] = set()
    for call, ctx, receiver, method in reader.call_sites():
        try:
            resolved = _endpoint(call, receiver, method)
        except ScanError as exc:
            raise ScanError(f"{ctx.module.rel}:{call.lineno}: {exc}") from exc
        if resolved is not None:
            api, endpoint = resolved
            found.add(CallSite(ctx.module.rel, call.lineno, ctx.qualname, api, endpoint))
    return sorted(found, key=lambda c: (c.file, c.line, c.endpoint))


def adapter_files(root: Path) -> list[Path]:
    """The files the approval check reads: every module under src/casedesk/adapters."""
    return sorted((root / "src" / "casedesk" / "adapters").rglob("*.py"))
