"""Offline checks that the models fit each other and the workers, before an engine sees them.

The engine reports some of these only when a deployment fails (no historyTimeToLive, no
formRefBinding), others never: a topic that no worker polls waits forever, an uncaught BPMN error
ends the path silently, a filepicker renders as nothing in Tasklist. Pure Python, no engine, no
Node; `npm run lint:models` adds bpmnlint's and dmnlint's modelling rules on top.

The variable contract is checked here too: every variable a topic's input model requires is written
somewhere in its process, and a variable has one type across the process's topic models.

Each rule is a function `(Models, Registry) -> Iterable[Problem]` listed in `RULES`. References that
are expressions (`${...}`) are resolved only at run time and are not checked.
"""

from __future__ import annotations

import difflib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal

from pydantic import BaseModel

from workers.runtime.contract import declared_type, fields_by_variable, required_variables, type_name
from workers.runtime.registry import Registry, TopicSpec
from workers.shared.organisation.pickers import DEPARTMENTS, OPTIONS_PROPERTY, PEOPLE

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
CAMUNDA_DMN_NS = "http://camunda.org/schema/1.0/dmn"
# Every DMN namespace the 7.24 DMN model reads (1.3 is what Camunda Modeler writes).
DMN_NAMESPACES = frozenset(
    {
        "https://www.omg.org/spec/DMN/20191111/MODEL/",
        "https://www.omg.org/spec/DMN/20191111/DMN13.xsd",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
        "http://www.omg.org/spec/DMN/20151101/dmn11.xsd",
        "https://www.omg.org/spec/DMN/20211108/MODEL/",
        "https://www.omg.org/spec/DMN/20230324/MODEL/",
    }
)

# What Tasklist 7.24 renders: form-js 1.8.7, schemaVersion 16.
TASKLIST_FORM_COMPONENTS = frozenset(
    {
        "textfield", "textarea", "number", "datetime", "checkbox", "checklist", "radio", "select",
        "taglist", "text", "html", "image", "button", "group", "dynamiclist", "table", "iframe",
        "separator", "spacer", "expression",
    }
)
TASKLIST_FORM_SCHEMA_VERSION = 16
FORM_REF_BINDINGS = ("latest", "deployment", "version")

EXTERNAL_TASK_TAGS = frozenset({"serviceTask", "sendTask", "businessRuleTask"})
MESSAGE_THROW_EVENT_TAGS = frozenset({"intermediateThrowEvent", "endEvent"})
FORM_TAGS = frozenset({"userTask", "startEvent"})

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding, for people: what is wrong where, and how to fix it."""

    file: Path | None  # None: about the registered workers, not a model file
    element_id: str | None
    rule: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = str(self.file) if self.file is not None else "workers"
        element = f" {self.element_id}" if self.element_id else ""
        warning = "warning: " if self.severity == "warning" else ""
        return f"{where}:{element} [{self.rule}] {warning}{self.message}"


@dataclass
class Models:
    """Every model under a root that could be read, by file, and why the others could not."""

    bpmn: dict[Path, ET.Element] = field(default_factory=dict)
    dmn: dict[Path, ET.Element] = field(default_factory=dict)
    forms: dict[Path, dict[str, Any]] = field(default_factory=dict)
    parse_problems: list[Problem] = field(default_factory=list)

    def unreadable(self, folder: str) -> bool:
        """Whether some file in `folder` did not parse, so its ids are unknown."""
        return any(p.file is not None and p.file.parent.name == folder for p in self.parse_problems)


@dataclass(frozen=True)
class ExternalTask:
    file: Path
    element: ET.Element  # the task or the message throw event that carries the topic
    topic: str | None

    @property
    def element_id(self) -> str | None:
        return self.element.get("id")


Rule = Callable[[Models, Registry], Iterable[Problem]]


def model_files(root: Path) -> list[Path]:
    """The files lint looks at: bpmn/*.bpmn, dmn/*.dmn, forms/*.form (not in subfolders)."""
    return [
        *sorted((root / "bpmn").glob("*.bpmn")),
        *sorted((root / "dmn").glob("*.dmn")),
        *sorted((root / "forms").glob("*.form")),
    ]


def lint_models(root: Path, registry: Registry) -> list[Problem]:
    models = load_models(root)
    problems = list(models.parse_problems)
    for rule in RULES:
        problems.extend(rule(models, registry))
    return problems


# --- reading -------------------------------------------------------------------------------------


def load_models(root: Path) -> Models:
    models = Models()
    for path in model_files(root):
        if path.suffix == ".form":
            form = _read_form(path, models.parse_problems)
            if form is not None:
                models.forms[path] = form
            continue
        xml = _read_xml(path, models.parse_problems)
        if xml is None:
            continue
        kind, namespaces, into = (
            ("BPMN 2.0", {BPMN_NS}, models.bpmn) if path.suffix == ".bpmn" else ("DMN", DMN_NAMESPACES, models.dmn)
        )
        namespace, local = _split(xml.tag)
        if local == "definitions" and namespace in namespaces:
            into[path] = xml
        else:
            models.parse_problems.append(
                _parse_error(path, f"the root element is <{xml.tag}>, not a {kind} <definitions>; "
                                   f"is this really a {kind} model?")
            )
    return models


def _read_xml(path: Path, problems: list[Problem]) -> ET.Element | None:
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).rsplit(": line", 1)[0]
        problems.append(
            _parse_error(path, f"line {line}, column {column + 1}: not well-formed XML ({reason}); "
                               "fix the file or save it again from Camunda Modeler")
        )
        return None


def _read_form(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        form = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(_parse_error(path, "not UTF-8 text; save the form again from Camunda Modeler"))
        return None
    except json.JSONDecodeError as exc:
        problems.append(
            _parse_error(path, f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); "
                               "fix the file or save it again from Camunda Modeler")
        )
        return None
    if not isinstance(form, dict):
        problems.append(_parse_error(path, "a form must be a JSON object with \"id\" and \"components\""))
        return None
    return form


def _parse_error(path: Path, message: str) -> Problem:
    return Problem(path, None, "parse-error", message)


# --- XML helpers ---------------------------------------------------------------------------------


def _split(tag: str) -> tuple[str, str]:
    """'{namespace}local' -> (namespace, local)."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _bpmn(local: str) -> str:
    return f"{{{BPMN_NS}}}{local}"


def _camunda(element: ET.Element, attribute: str) -> str | None:
    return element.get(f"{{{CAMUNDA_NS}}}{attribute}")


def _is_expression(value: str) -> bool:
    return "${" in value or "#{" in value


def _bpmn_elements(models: Models, locals_: Iterable[str]) -> Iterator[tuple[Path, ET.Element]]:
    wanted = {_bpmn(local) for local in locals_}
    for file, root in models.bpmn.items():
        for element in root.iter():
            if element.tag in wanted:
                yield file, element


def _dmn_elements(models: Models, local: str) -> Iterator[tuple[Path, ET.Element]]:
    for file, root in models.dmn.items():
        for element in root.iter():
            namespace, name = _split(element.tag)
            if name == local and namespace in DMN_NAMESPACES:
                yield file, element


def _external_tasks(models: Models) -> Iterator[ExternalTask]:
    for file, root in models.bpmn.items():
        yield from _external_tasks_in(file, root)


def _external_tasks_in(file: Path, scope: ET.Element) -> Iterator[ExternalTask]:
    wanted = {_bpmn(local) for local in EXTERNAL_TASK_TAGS | MESSAGE_THROW_EVENT_TAGS}
    for element in scope.iter():
        if element.tag not in wanted:
            continue
        carrier: ET.Element | None = element
        if _split(element.tag)[1] in MESSAGE_THROW_EVENT_TAGS:
            carrier = element.find(_bpmn("messageEventDefinition"))
        if carrier is not None and _camunda(carrier, "type") == "external":
            yield ExternalTask(file, element, _camunda(carrier, "topic") or None)


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    # Names share prefixes ('handover.'), so only a near miss is worth suggesting.
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.8)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _known(ids: Iterable[str]) -> str:
    ids = sorted(set(ids))
    return ", ".join(ids) if ids else "none"


# --- rules ---------------------------------------------------------------------------------------


def unregistered_topic(models: Models, registry: Registry) -> Iterator[Problem]:
    """Every external task's topic has a registered worker, or nothing ever fetches it."""
    for task in _external_tasks(models):
        if task.topic is None:
            yield Problem(
                task.file, task.element_id, "unregistered-topic",
                "external task without camunda:topic: set Implementation > Topic in Camunda "
                "Modeler, named '<process>.<action>'",
            )
        elif not _is_expression(task.topic) and task.topic not in registry:
            yield Problem(
                task.file, task.element_id, "unregistered-topic",
                f"topic '{task.topic}' has no registered worker{_did_you_mean(task.topic, registry.names())}, "
                f"so its tokens would wait forever: add @topic(\"{task.topic}\") to a module under "
                "workers/processes, or correct the topic",
            )


def unused_worker(models: Models, registry: Registry) -> Iterator[Problem]:
    """Every registered worker serves a topic some BPMN model uses."""
    if models.unreadable("bpmn"):
        return  # the unreadable model may well use the topic
    used = {task.topic for task in _external_tasks(models)}
    for spec in registry:
        if spec.name not in used:
            yield Problem(
                None, None, "unused-worker",
                f"worker {spec.function_name} handles topic '{spec.name}'{_did_you_mean(spec.name, used - {None})}, "
                "which no external task in bpmn/ uses: set it as the topic of the task the worker "
                "implements, or remove the worker",
            )


def missing_form(models: Models, registry: Registry) -> Iterator[Problem]:
    """Every camunda:formRef names the id of a form in forms/."""
    if models.unreadable("forms"):
        return
    form_ids = {form["id"] for form in models.forms.values() if isinstance(form.get("id"), str)}
    for file, element in _bpmn_elements(models, FORM_TAGS):
        ref = _camunda(element, "formRef")
        if ref is None or _is_expression(ref) or ref in form_ids:
            continue
        yield Problem(
            file, element.get("id"), "missing-form",
            f"camunda:formRef '{ref}' matches no form in forms/{_did_you_mean(ref, form_ids)}: "
            f"the form's key is the \"id\" in its .form file (known: {_known(form_ids)}); "
            "correct the reference or add the form",
        )


def form_binding(models: Models, registry: Registry) -> Iterator[Problem]:
    """formRef needs formRefBinding (the engine refuses it without); 'latest' survives redeploys."""
    for file, element in _bpmn_elements(models, FORM_TAGS):
        if _camunda(element, "formRef") is None:
            continue
        binding = _camunda(element, "formRefBinding")
        if binding not in FORM_REF_BINDINGS:
            found = "is missing" if binding is None else f"is '{binding}'"
            yield Problem(
                file, element.get("id"), "form-binding",
                f"camunda:formRefBinding {found}: the engine refuses to deploy a formRef without one "
                "of latest, deployment, version; set Form > Binding to 'latest' in Camunda Modeler",
            )
        elif binding != "latest":
            yield Problem(
                file, element.get("id"), "form-binding",
                f"camunda:formRefBinding is '{binding}': when only the .form changes, a "
                "deploy-changed-only deployment leaves this process on the old form; prefer 'latest'",
                severity="warning",
            )


def missing_decision(models: Models, registry: Registry) -> Iterator[Problem]:
    """Every business rule task's camunda:decisionRef names a decision in dmn/."""
    if models.unreadable("dmn"):
        return
    decision_ids = {d.get("id") for _, d in _dmn_elements(models, "decision")} - {None}
    for file, element in _bpmn_elements(models, {"businessRuleTask"}):
        ref = _camunda(element, "decisionRef")
        if ref is None or _is_expression(ref) or ref in decision_ids:
            continue
        yield Problem(
            file, element.get("id"), "missing-decision",
            f"camunda:decisionRef '{ref}' matches no decision in dmn/{_did_you_mean(ref, decision_ids)} "
            f"(known: {_known(decision_ids)}): correct the reference to a decision id, or add the decision",
        )


def missing_history_ttl(models: Models, registry: Registry) -> Iterator[Problem]:
    """Processes and decisions without historyTimeToLive fail deployment (ENGINE-12018)."""
    fix = "set History cleanup > Time to live in Camunda Modeler (e.g. P180D)"
    for file, process in _bpmn_elements(models, {"process"}):
        if process.get("isExecutable") == "true" and not (_camunda(process, "historyTimeToLive") or "").strip():
            yield Problem(
                file, process.get("id"), "missing-history-ttl",
                f"executable process without camunda:historyTimeToLive, which the engine refuses to deploy: {fix}",
            )
    for file, decision in _dmn_elements(models, "decision"):
        if not (decision.get(f"{{{CAMUNDA_DMN_NS}}}historyTimeToLive") or "").strip():
            yield Problem(
                file, decision.get("id"), "missing-history-ttl",
                f"decision without camunda:historyTimeToLive, which the engine refuses to deploy: {fix}",
            )


def unsupported_form_component(models: Models, registry: Registry) -> Iterator[Problem]:
    """Every component (inside groups and dynamic lists too) is one Tasklist 7.24 renders."""
    for file, form in models.forms.items():
        for component in _form_components(form.get("components")):
            kind = component.get("type")
            if kind in TASKLIST_FORM_COMPONENTS:
                continue
            name = component.get("key") or component.get("id") or "(no key or id)"
            if kind == "filepicker":
                hint = ("Tasklist 7.24 has no file upload: give the user a link to the archive or an "
                        "upload endpoint instead")
            else:
                hint = f"use one of {', '.join(sorted(TASKLIST_FORM_COMPONENTS))}"
            yield Problem(
                file, component.get("id"), "unsupported-form-component",
                f"component '{name}' has type '{kind}', which Tasklist 7.24 (form-js 1.8.7) cannot "
                f"render: {hint}",
            )


def _form_components(components: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(components, list):
        return
    for component in components:
        if isinstance(component, dict):
            yield component
            yield from _form_components(component.get("components"))


def list_row_condition(models: Models, registry: Registry) -> Iterator[Problem]:
    """Inside a dynamic list, a condition names the row's own fields as `this.<key>`.

    form-js evaluates it against the form's data with the row under `this`: a bare row key is
    null there, so the condition is silently always true or always false.
    """
    for file, form in models.forms.items():
        for component in _form_components(form.get("components")):
            if component.get("type") != "dynamiclist":
                continue
            row_keys = {c.get("key") for c in _form_components(component.get("components")) if c.get("key")}
            for child in _form_components(component.get("components")):
                hide = (child.get("conditional") or {}).get("hide")
                if not isinstance(hide, str):
                    continue
                unqualified = sorted(key for key in row_keys
                                     if re.search(rf"(?<![\w.\"]){re.escape(key)}\b", _without_strings(hide)))
                if unqualified:
                    fixed = ", ".join(f"this.{key}" for key in unqualified)
                    yield Problem(
                        file, child.get("id"), "list-row-condition",
                        f"the condition {hide!r} of '{child.get('key') or child.get('id')}' inside the list "
                        f"'{component.get('path')}' names its row's field(s) without `this.`, which form-js "
                        f"reads as null: write {fixed}",
                    )


def _without_strings(expression: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)


def unsupported_form_schema(models: Models, registry: Registry) -> Iterator[Problem]:
    """A form saved with a newer schemaVersion may use what Tasklist 7.24 cannot render."""
    for file, form in models.forms.items():
        version = form.get("schemaVersion")
        if isinstance(version, int) and version > TASKLIST_FORM_SCHEMA_VERSION:
            yield Problem(
                file, form.get("id") if isinstance(form.get("id"), str) else None,
                "unsupported-form-schema",
                f"schemaVersion {version} is newer than Tasklist 7.24 renders "
                f"({TASKLIST_FORM_SCHEMA_VERSION}, form-js 1.8.7): set \"schemaVersion\": "
                f"{TASKLIST_FORM_SCHEMA_VERSION} and use only components Tasklist 7.24 knows",
            )


def picker_options(models: Models, registry: Registry) -> Iterator[Problem]:
    """A field whose options deploy fills from the organisation is a select (one choice) or a
    taglist (several) of a kind we know: a typo in the custom property would otherwise surface
    only when deploying."""
    for file, form in models.forms.items():
        for component in _form_components(form.get("components")):
            kind = (component.get("properties") or {}).get(OPTIONS_PROPERTY)
            if kind is None:
                continue
            if kind not in (PEOPLE, DEPARTMENTS) or component.get("type") not in ("select", "taglist"):
                yield Problem(
                    file, component.get("id"), "picker-options",
                    f"'{component.get('key')}' has {OPTIONS_PROPERTY} {kind!r} on a {component.get('type')}: "
                    f"a picker is a select or taglist whose {OPTIONS_PROPERTY} is '{PEOPLE}' or '{DEPARTMENTS}'",
                )


def uncaught_bpmn_error(models: Models, registry: Registry) -> Iterator[Problem]:
    """Every BPMN error a task's worker may throw is caught; an uncaught one ends the path silently."""
    parents = {file: {child: parent for parent in root.iter() for child in parent}
               for file, root in models.bpmn.items()}
    for task in _external_tasks(models):
        if task.topic is None or task.topic not in registry or not registry[task.topic].errors:
            continue
        spec = registry[task.topic]
        caught = _caught_error_codes(models.bpmn[task.file], parents[task.file], task.element)
        if None in caught:
            continue  # a catch-all error event
        for code in sorted(spec.errors - caught):
            yield Problem(
                task.file, task.element_id, "uncaught-bpmn-error",
                f"worker {spec.function_name} may throw BPMN error '{code}', which nothing here "
                "catches, so the path would end silently: attach an error boundary event whose "
                f"error has code '{code}' (or one without an error, which catches all) to this task",
            )


def _caught_error_codes(
    root: ET.Element, parents: dict[ET.Element, ET.Element], activity: ET.Element
) -> set[str | None]:
    """Error codes caught for `activity`, None standing for catch-all: boundary events on it and
    on the subprocesses around it, and error event subprocesses in the scopes around it (the
    engine looks in that order, innermost scope first)."""
    error_codes = {error.get("id"): error.get("errorCode") for error in root.iter(_bpmn("error"))}
    caught: set[str | None] = set()
    scope: ET.Element | None = activity
    while scope is not None:
        container = parents.get(scope)
        if container is not None and scope.get("id"):
            for boundary in container.findall(_bpmn("boundaryEvent")):
                if boundary.get("attachedToRef") == scope.get("id"):
                    caught |= _error_codes_of(boundary, error_codes)
        if scope is not activity:
            for sub in scope.findall(_bpmn("subProcess")):
                if sub.get("triggeredByEvent") == "true":
                    for start in sub.findall(_bpmn("startEvent")):
                        caught |= _error_codes_of(start, error_codes)
        scope = container
    return caught


def _error_codes_of(event: ET.Element, error_codes: dict[str | None, str | None]) -> set[str | None]:
    # As the engine reads it: no errorRef, or a bpmn:error without errorCode, catches every error;
    # an errorRef naming no bpmn:error is taken as the code itself.
    codes: set[str | None] = set()
    for definition in event.findall(_bpmn("errorEventDefinition")):
        ref = definition.get("errorRef")
        codes.add(None if ref is None else error_codes[ref] if ref in error_codes else ref)
    return codes


# --- the variable contract -----------------------------------------------------------------------
SET_VARIABLE = re.compile(r"""setVariable(?:Local)?\(\s*['"]([^'"]+)['"]""")
LISTENER_TAGS = ("executionListener", "taskListener")
SOURCES = "no form field, listener, I/O mapping, decision result, BPMN error variable or earlier topic output"


def unwritten_variable(models: Models, registry: Registry) -> Iterator[Problem]:
    """Every variable a topic's input model requires (a field without default) is written in its
    process before the task can need it: by a field of the start form or of a user task's form
    (`camunda:formRef`), `camunda:initiator`, a listener's `setVariable('name', ...)`, an input
    parameter of the task or of a subprocess around it, a multi-instance element variable around
    it, an output parameter, a business rule task's `camunda:resultVariable`, a BPMN error's
    message or code variable, the output model of another external task of the process, a
    `camunda:out` target of a call activity of the process (written when the called process
    returns), or, in a called process, a `camunda:in` target of any call activity calling it.

    "Earlier" is approximated as "any other external task of the same process": there is no path
    analysis, so a variable written only on a later step still passes.
    """
    form_ids = {form.get("id"): form for form in models.forms.values()}
    passed_in = _passed_into_called_processes(models)
    for file, process in _bpmn_elements(models, {"process"}):
        parents = {child: parent for parent in process.iter() for child in parent}
        written = _written_in_process(process, form_ids) | passed_in.get(process.get("id"), set())
        written |= set(declared_inputs(process))
        tasks = [t for t in _external_tasks_in(file, process) if t.topic in registry]
        outputs = {t.element_id: _output_variables(registry[t.topic]) for t in tasks}
        for task in tasks:
            spec = registry[task.topic]
            if spec.input_model is None:
                continue
            available = written | _scoped_variables(task.element, parents)
            available |= {name for element_id, names in outputs.items() if element_id != task.element_id
                          for name in names}
            for name in required_variables(spec.input_model):
                if name not in available:
                    yield Problem(
                        file, task.element_id, "unwritten-variable",
                        f"topic {spec.name} reads '{name}', which nothing in process {process.get('id')} "
                        f"writes ({SOURCES}): write it in an earlier step, or give the field in "
                        f"{spec.input_model.__name__} a default if the topic can run without it",
                    )


def variable_type(models: Models, registry: Registry) -> Iterator[Problem]:
    """A variable has one type in its process: every input and output model of the process's topics
    declares it alike (a field read `AsTyped` counts as the type it becomes; None does not count)."""
    for file, process in _bpmn_elements(models, {"process"}):
        topics = dict.fromkeys(t.topic for t in _external_tasks_in(file, process) if t.topic in registry)
        declared: dict[str, list[tuple[Any, str]]] = {}
        for topic in topics:
            spec = registry[topic]
            for role, model in _topic_models(spec):
                for name, info in fields_by_variable(model).items():
                    declared.setdefault(name, []).append((declared_type(info), f"{topic} {role}"))
        for name, uses in declared.items():
            kinds = _grouped(uses)
            if len(kinds) > 1:
                found = "; ".join(f"{type_name(kind)} in {', '.join(where)}" for kind, where in kinds)
                yield Problem(
                    file, process.get("id"), "variable-type",
                    f"variable '{name}' has {len(kinds)} types in process {process.get('id')}: {found}; "
                    "declare it once (one annotation or base model the topic models share)",
                )


def _written_in_process(process: ET.Element, forms: dict[Any, dict[str, Any]]) -> set[str]:
    """What the process writes wherever a task is: forms, initiator, listeners, outputs, decisions, errors."""
    written: set[str] = set()
    for element in process.iter():
        local = _split(element.tag)[1]
        ref = _camunda(element, "formRef") if local in FORM_TAGS else None
        if ref and ref in forms:
            written |= _form_variables(forms[ref].get("components"))
        written |= {name for attribute in ("initiator", "resultVariable", "errorMessageVariable", "errorCodeVariable")
                    if (name := _camunda(element, attribute))}
        if element.tag == f"{{{CAMUNDA_NS}}}outputParameter" and (name := element.get("name")):
            written.add(name)
        if element.tag == f"{{{CAMUNDA_NS}}}out" and (name := element.get("target")):
            written.add(name)  # a call activity's output: written once the called process returns
        if local in LISTENER_TAGS and element.tag.startswith(f"{{{CAMUNDA_NS}}}"):
            code = (element.get("expression") or "") + "".join(element.itertext())
            written |= set(SET_VARIABLE.findall(code))
    return written


def _call_activities(models: Models) -> Iterator[tuple[Path, ET.Element]]:
    yield from _bpmn_elements(models, {"callActivity"})


def _call_mappings(call: ET.Element, direction: str) -> list[ET.Element]:
    return call.findall(f"{_bpmn('extensionElements')}/{{{CAMUNDA_NS}}}{direction}")


def _passed_into_called_processes(models: Models) -> dict[str, set[str]]:
    """Called process id -> the variables its callers pass in (`camunda:in` targets)."""
    passed: dict[str, set[str]] = {}
    for _, call in _call_activities(models):
        called = call.get("calledElement")
        if called and not _is_expression(called):
            passed.setdefault(called, set()).update(
                m.get("target") for m in _call_mappings(call, "in") if m.get("target"))
    return passed


CALLED_INPUTS_PROPERTY = "calledWithInputs"


def declared_inputs(process: ET.Element) -> list[str]:
    """The variables a called process is given by its callers, as its process-level property
    `calledWithInputs` lists them (comma-separated; Modeler: the process's Extensions → Properties)."""
    for prop in process.findall(f"{_bpmn('extensionElements')}/{{{CAMUNDA_NS}}}properties/{{{CAMUNDA_NS}}}property"):
        if prop.get("name") == CALLED_INPUTS_PROPERTY:
            return [name.strip() for name in (prop.get("value") or "").split(",") if name.strip()]
    return []


def call_activity_inputs(models: Models, registry: Registry) -> Iterator[Problem]:
    """A call activity passes every input its called process declares (`calledWithInputs`), each by
    a `camunda:in` with that target: the called process's workers read them."""
    declared = {p.get("id"): declared_inputs(p) for _, p in _bpmn_elements(models, {"process"})}
    for file, call in _call_activities(models):
        called = call.get("calledElement") or ""
        targets = {m.get("target") for m in _call_mappings(call, "in")}
        missing = [name for name in declared.get(called, []) if name not in targets]
        if missing:
            yield Problem(
                file, call.get("id"), "call-activity-inputs",
                f"calls process {called}, which needs {', '.join(missing)}: add a camunda:in with each as target "
                f"(Modeler: the call activity's In mappings), e.g. source or sourceExpression giving its value",
            )


def call_activity_mapping(models: Models, registry: Registry) -> Iterator[Problem]:
    """A call activity maps variables one by one (docs/approvals.md): `variables="all"` would hand
    the called process every variable of the caller, and copy every variable of the called process
    back over the caller's own (a called approval's `approvalOutcome` over an earlier one)."""
    for file, call in _call_activities(models):
        for direction, whence in (("in", "into the called process"), ("out", "back into the caller")):
            if any(m.get("variables") == "all" for m in _call_mappings(call, direction)):
                yield Problem(
                    file, call.get("id"), "call-activity-mapping",
                    f'camunda:{direction} variables="all" copies every variable {whence}: map each variable '
                    f"with camunda:{direction} source and target instead",
                )


def _scoped_variables(task: ET.Element, parents: dict[ET.Element, ET.Element]) -> set[str]:
    """Local variables the task sees: input parameters and multi-instance element variables of the
    task itself and of each subprocess around it."""
    names: set[str] = set()
    scope: ET.Element | None = task
    while scope is not None:
        names |= {p.get("name") or "" for p in scope.findall(f"{_bpmn('extensionElements')}/"
                                                           f"{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}inputParameter")}
        loop = scope.find(_bpmn("multiInstanceLoopCharacteristics"))
        if loop is not None and _camunda(loop, "elementVariable"):
            names.add(_camunda(loop, "elementVariable") or "")
        scope = parents.get(scope)
    return names


def _form_variables(components: Any) -> set[str]:
    """The variables a form submits: each field's key; a dynamic list or a group with a path is one
    variable (its rows' keys are fields of the row, not variables)."""
    names: set[str] = set()
    for component in components if isinstance(components, list) else []:
        if not isinstance(component, dict):
            continue
        if component.get("path"):
            names.add(component["path"])
        else:
            names |= {component["key"]} if component.get("key") else set()
            names |= _form_variables(component.get("components"))
    return names


def _output_variables(spec: TopicSpec) -> set[str]:
    return {name for model in spec.output_models for name in fields_by_variable(model)}


def _topic_models(spec: TopicSpec) -> Iterator[tuple[str, type[BaseModel]]]:
    if spec.input_model is not None:
        yield "input", spec.input_model
    for model in spec.output_models:
        yield "output", model


def _grouped(uses: list[tuple[Any, str]]) -> list[tuple[Any, list[str]]]:
    kinds: list[tuple[Any, list[str]]] = []
    for kind, where in uses:
        same = next((group for group in kinds if group[0] == kind), None)
        if same is None:
            kinds.append((kind, [where]))
        elif where not in same[1]:
            same[1].append(where)
    return kinds


RULES: tuple[Rule, ...] = (
    unregistered_topic,
    unused_worker,
    missing_form,
    form_binding,
    missing_decision,
    missing_history_ttl,
    unsupported_form_component,
    list_row_condition,
    unsupported_form_schema,
    picker_options,
    uncaught_bpmn_error,
    unwritten_variable,
    variable_type,
    call_activity_mapping,
    call_activity_inputs,
)
