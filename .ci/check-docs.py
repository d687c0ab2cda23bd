#!/usr/bin/env python3
"""Fails when a document names a file, class, script or variable that the tree does not have.

    python3 .ci/check-docs.py            # every tracked *.md; prints each stale name with its file and line

What it reads, in each tracked Markdown file:
- links [text](target): a relative target must exist (from the document's folder); `#anchor` must be a heading of
  the target (GitHub's slugs);
- every word inside `backticks`, one at a time:
  - a path (has a `/`, or ends with a file extension, `…` or `*` standing for any folders): must match a tracked file
    or folder, from the repository root or from the document's folder; a bare file name must be some tracked file's
    name; paths under target/ (build output), absolute paths (inside a container) and URLs are not checked;
  - a Java type, CamelCase, with an optional `#member`: when it is declared in a .java file, the member must be
    named there; when it is not, it must not be a name this repository's history had as a .java file (a class that
    went, e.g. a replaced client), nor end in IT or Test; any other CamelCase name is a library's (Netty's, ...);
  - an UPPER_CASE name with an underscore (a variable, a config constant, a state): must occur in a tracked file
    that is not Markdown, unless it is one of the variables other tools read, listed in OUTSIDE_VARIABLES.
Everything else (commands, JSON, values) is left alone. In the other files, a reference to a README section
(`README, "Section"`) must name one of its headings, and a *.md path must exist.
"""
import os
import re
import subprocess
import sys
from fnmatch import fnmatchcase

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Variables read by other tools (the JDK launcher, Quarkus' native build, Maven), not by this repository's files.
OUTSIDE_VARIABLES = {"GRAALVM_HOME", "MAVEN_OPTS", "JAVA_TOOL_OPTIONS"}

EXTENSIONS = ("java", "sh", "yml", "yaml", "json", "md", "properties", "env", "xml", "png", "lua", "py", "txt", "cmd")
PATH_RE = re.compile(r"^[\w.…*/-]*[\w…*-]+(/|\.(%s))?$" % "|".join(EXTENSIONS))
TYPE_RE = re.compile(r"^([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)(?:[#.]([a-z]\w*))?(?:\(\))?$")
VARIABLE_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_RE = re.compile(r"`([^`]+)`")


def tracked():
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, check=True, capture_output=True).stdout
    return [p for p in out.decode().split("\0") if p and os.path.exists(os.path.join(ROOT, p))]


FILES = tracked()
FOLDERS = {os.path.dirname(p) for p in FILES} | {""}
for folder in list(FOLDERS):
    while folder:
        folder = os.path.dirname(folder)
        FOLDERS.add(folder)
NAMES = {os.path.basename(p) for p in FILES}


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        return f.read()


JAVA = {p: read(p) for p in FILES if p.endswith(".java")}
TYPES = {}
for path, text in JAVA.items():
    for name in re.findall(r"\b(?:class|interface|record|enum)\s+([A-Z]\w*)", text):
        TYPES.setdefault(name, []).append(path)
NOT_DOCS = "\n".join(read(p) for p in FILES if not p.endswith((".md", ".png")))


def former_types():
    """The names of every .java file the history has had: a name among them that is declared nowhere now is stale."""
    out = subprocess.run(["git", "log", "--all", "--pretty=format:", "--name-only", "--", "*.java"], cwd=ROOT,
                         capture_output=True).stdout.decode()
    return {os.path.basename(p)[:-5] for p in out.split() if p.endswith(".java")}


FORMER_TYPES = former_types()


def slug(heading):
    heading = re.sub(r"[`*_\[\]()]", "", heading.strip().lower())
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", heading))


def anchors(path):
    return {slug(h) for h in re.findall(r"^#+\s+(.*)$", read(path), re.M)}


def path_exists(word, doc_dir):
    word = word.rstrip("/")
    pattern = word.replace("…", "*")
    for base in ("", doc_dir):
        candidate = os.path.normpath(os.path.join(base, pattern)) if base else os.path.normpath(pattern)
        if candidate.startswith(".."):
            continue
        if "*" in candidate:
            # `…` and `*` stand for any number of folders (or part of a name).
            regex = re.compile("^" + ".*".join(re.escape(part) for part in candidate.split("*")) + "$")
            if any(regex.match(p) for p in FILES) or any(regex.match(f) for f in FOLDERS):
                return True
        elif candidate in FOLDERS or candidate in FILES:
            return True
    return False


TOP = {p.split("/")[0] for p in FILES}


def names_the_tree(word, doc_dir):
    """A path-like word is taken for a path of this repository when it ends with a file extension, starts with
    ./, * or …, or its first folder is one of the repository's (or of the document's folder): `service/offer` and
    `ubi9/openjdk-25` are not."""
    first = word.lstrip("./").split("/")[0]
    if ("…" in word or "*" in word) and "/" not in word:
        return False  # `…timeout.value`: a shortened property key
    return (re.search(r"\.(%s)$" % "|".join(EXTENSIONS), word) or word.startswith(("./", "*", "…"))
            or first in TOP or os.path.join(doc_dir, first) in FOLDERS | set(FILES))


def check_word(word, doc, doc_dir):
    """Returns a complaint about one word from a code span, or None."""
    word = word.strip("\"',;:()[]{}<>")
    word = re.sub(r"^[A-Z_]+=", "", word) if not VARIABLE_RE.match(word.split("=")[0]) else word
    if "=" in word:
        name = word.split("=")[0]
        return check_word(name, doc, doc_dir) if VARIABLE_RE.match(name) else None
    if not word or "://" in word or word.startswith(("/", "~", "-", "$", "@", "%", "http")) or ":" in word:
        return None
    if VARIABLE_RE.match(word):
        if word in OUTSIDE_VARIABLES or re.search(r"\b%s\b" % re.escape(word), NOT_DOCS):
            return None
        return "variable %s occurs in no file of the tree" % word
    if word.endswith((".jar", ".aot", "-runner")):
        return None  # build output
    m = TYPE_RE.match(word)
    if m and "/" not in word and not word.endswith(".java"):
        name, member = m.group(1), m.group(2)
        if name not in TYPES:
            if name in FORMER_TYPES:
                return "class %s is gone from the tree" % name
            if name.endswith(("IT", "Test")):
                return "test class %s is declared nowhere" % name
            return None  # a library's type (Netty's, pybreaker's, ...): this repository never had it
        if member and not any(re.search(r"\b%s\b" % member, JAVA[p]) for p in TYPES[name]):
            return "%s has no member %s" % (name, member)
        return None
    if PATH_RE.match(word) and ("/" in word or "." in word.lstrip(".")) and names_the_tree(word, doc_dir):
        if word.startswith("target/") or "/target/" in word or word.startswith("*/target"):
            return None
        if "/" not in word.rstrip("/") and "*" not in word and "…" not in word:
            if word.endswith(".java") and word[:-5] in TYPES:
                return None
            return None if word in NAMES or word.rstrip("/") in FOLDERS else "no file named %s in the tree" % word
        return None if path_exists(word, doc_dir) else "path %s does not exist" % word
    return None


def check(doc):
    problems = []
    doc_dir = os.path.dirname(doc)
    in_fence = False
    for number, line in enumerate(read(doc).splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        spans = [line] if in_fence else CODE_RE.findall(line)
        for span in spans:
            words = span.split()
            if not in_fence and len(words) > 4 and re.match(r"^[A-Z][a-z]", words[0]):
                continue  # a quoted log line or message, not a name
            for word in span.split():
                if in_fence and not (word.startswith(("./", "bash")) or "/" in word or VARIABLE_RE.match(word.split("=")[0])):
                    continue
                problem = check_word(word, doc, doc_dir)
                if problem:
                    problems.append("%s:%d: %s" % (doc, number, problem))
        if in_fence:
            continue
        for target in LINK_RE.findall(CODE_RE.sub("", line)):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(doc_dir, path)) if path else doc
            if path and resolved not in FILES and resolved not in FOLDERS:
                problems.append("%s:%d: link to %s, which does not exist" % (doc, number, target))
            elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                problems.append("%s:%d: link to %s: no heading #%s there" % (doc, number, target, anchor))
    return problems


def check_references(path):
    """In a file that is not Markdown: each `README, "Section"` must be a heading of README.md, and each *.md path a
    file of the tree."""
    problems = []
    headings = {h.strip() for h in re.findall(r"^#+\s+(.*)$", read("README.md"), re.M)}
    for number, line in enumerate(read(path).splitlines(), 1):
        for section in re.findall(r'README(?:, |\'s )\\?"([^"\\]+)\\?"', line):
            if section not in headings:
                problems.append('%s:%d: README has no section "%s"' % (path, number, section))
        for doc in re.findall(r"(?<![\w/.-])((?:\w[\w.-]*/)*\w[\w.-]*\.md)\b", line):
            if doc.startswith(("target/", "shared/")):
                continue  # build output; the project's shared notes, beside the repository
            if os.path.normpath(doc) not in FILES and os.path.normpath(os.path.join(os.path.dirname(path), doc)) not in FILES:
                problems.append("%s:%d: %s does not exist" % (path, number, doc))
    return problems


def main():
    docs = [p for p in FILES if p.endswith(".md")]
    problems = [p for doc in docs for p in check(doc)]
    problems += [p for path in FILES
                 if not path.endswith((".md", ".png", ".jar")) and path != ".ci/check-docs.py" for p in check_references(path)]
    for problem in problems:
        print(problem)
    if problems:
        print("check-docs: %d stale name(s) in the documents" % len(problems))
        return 1
    print("check-docs: %d documents, every file, class, script and variable they name exists" % len(docs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
