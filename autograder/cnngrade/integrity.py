"""A static scan (AST) of a submission for constructs an instructor should look at.

Findings go into results.json ``integrity`` and the batch summary; they never change a score.
"""

import ast

SUSPICIOUS_MODULES = {
    "subprocess": "process access", "multiprocessing": "process access", "socket": "network access",
    "ctypes": "native code access", "cffi": "native code access", "importlib": "import-system tampering",
    "builtins": "patching builtins", "signal": "signal handlers", "resource": "resource limits",
    "gc": "object-graph inspection", "inspect": "frame inspection", "pickle": "pickle", "marshal": "marshal",
    "shutil": "file access", "pathlib": "file access", "glob": "file access", "urllib": "network access",
    "http": "network access", "requests": "network access",
}
SUSPICIOUS_CALLS = {
    "__import__": "import-system tampering", "exec": "dynamic code", "eval": "dynamic code",
    "compile": "dynamic code", "open": "file access", "setattr": "attribute patching", "globals": "namespace tampering",
}
SUSPICIOUS_ATTRIBUTES = {
    ("sys", "meta_path"): "import-system tampering", ("sys", "path"): "import-system tampering",
    ("sys", "modules"): "import-system tampering", ("sys", "exit"): "process exit",
    ("os", "system"): "process access", ("os", "popen"): "process access", ("os", "fork"): "process access",
    ("os", "_exit"): "process exit", ("os", "kill"): "signals", ("os", "exec"): "process access",
    ("os", "chdir"): "file access", ("os", "remove"): "file access", ("os", "walk"): "file access",
    ("os", "listdir"): "file access", ("os", "environ"): "environment access", ("sys", "setrecursionlimit"): "limits",
}
WATCHED = {module for module, _ in SUSPICIOUS_ATTRIBUTES}
PATCHABLE_ROOTS = {"np", "numpy", "builtins", "torch", "pytest", "sys", "os"}


def _root_name(node):
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def scan(source, forbidden_modules=()):
    """A list of {line, kind, message} findings, sorted by line."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    findings = []

    def add(node, kind, message):
        findings.append({"line": getattr(node, "lineno", None), "kind": kind, "message": message})

    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                if top in forbidden_modules:
                    add(node, "forbidden module", f"imports {name} (the assignment is NumPy only)")
                elif top in SUSPICIOUS_MODULES:
                    add(node, SUSPICIOUS_MODULES[top], f"imports {name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SUSPICIOUS_CALLS:
            add(node, SUSPICIOUS_CALLS[node.func.id], f"calls {node.func.id}()")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in WATCHED:
            for (module, attribute), kind in SUSPICIOUS_ATTRIBUTES.items():
                if node.value.id == module and node.attr.startswith(attribute):
                    add(node, kind, f"uses {module}.{node.attr}")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and _root_name(target) in PATCHABLE_ROOTS:
                    add(node, "monkey-patching", f"assigns to {ast.unparse(target)}")
    unique = {(f["line"], f["kind"], f["message"]): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f["line"] or 0, f["message"]))
