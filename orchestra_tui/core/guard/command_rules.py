"""The built-in forbidden commands, judged on a command's argv (see `core.shell_commands`) with
each tool's own option syntax: program, then subcommand, then arguments.

- `kubectl apply` / `kubectl delete` without a client-side dry run (`--dry-run`,
  `--dry-run=client`); the verb is the first known kubectl verb (`kubectl logs apply` reads logs).
- `terraform apply` / `terraform destroy` (OpenTofu's `tofu` too).
- `git push` to main, master or a protected branch: a refspec's destination (`HEAD:main`,
  `+main`, `refs/heads/main`, `:main`, a glob such as `refs/heads/*:refs/heads/*`), `--all`,
  `--mirror`, or no refspec while the current branch is protected; forced (`-f`, `--force`,
  `--force-with-lease`, `+refspec`) it says so. A dry run (`-n`) pushes nothing.
- `--no-verify` on commit, push, merge, rebase, am, cherry-pick; `git commit -n` (also in a
  cluster, `-anm msg`; `-mn` is a message "n"); `git -c core.hooksPath=...`.
- `gh pr merge --admin`; `rm -r /`, `rm -rf /*`, `rm --no-preserve-root`.

The labels are the screen watch's (`core.guardrails.DEFAULT_RULES`), so alerts and the journal
keep their words.

>>> forbidden(("git", "commit", "-anm", "wip"))
'--no-verify'
>>> forbidden(("git", "commit", "-mn"))  # the message is "n"
>>> forbidden(("git", "push", "origin", "HEAD:refs/heads/main"))
'git push to main'
>>> forbidden(("kubectl", "logs", "apply"))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from orchestra_tui.core.guard.shell_wrappers import Options, first_operand, program_name, scan

PROTECTED = ("main", "master")


@dataclass(frozen=True)
class Context:
    """What a rule may need beyond the argv: the protected branches, and the branch checked
    out where the command runs (None: unknown)."""

    protected: tuple[str, ...] = PROTECTED
    branch: str | None = None


def forbidden(argv: Sequence[str], context: Context = Context()) -> str | None:
    """The label of the built-in rule `argv` breaks, else None."""
    if not argv:
        return None
    rule = _RULES.get(program_name(argv[0]))
    return rule(list(argv[1:]), context) if rule else None


def _long(name: str, full: str, shortest: int) -> bool:
    """`name` is the long option `full` or an abbreviation git accepts (`--no-veri`)."""
    return name == full or (len(name) >= shortest and full.startswith(name))


# -- kubectl ---------------------------------------------------------------------------------------

_KUBECTL_VERBS = frozenset(
    "create expose run set explain get edit delete rollout scale autoscale certificate "
    "cluster-info top cordon uncordon drain taint describe logs attach exec port-forward proxy "
    "cp auth debug events diff apply patch replace wait kustomize label annotate completion "
    "alpha api-resources api-versions config plugin version options".split())
_KUBECTL = Options("nsvfklocLp", frozenset({
    "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "--server", "--token",
    "--as", "--as-group", "--as-uid", "--request-timeout", "--cache-dir", "--username",
    "--certificate-authority", "--client-certificate", "--client-key", "--tls-server-name",
    "--password", "--profile", "--profile-output", "--log-file", "--filename", "--kustomize",
    "--selector", "--output", "--field-manager", "--prune-allowlist", "--timeout"}))


def _kubectl(args: list[str], context: Context) -> str | None:
    options, operands = scan(args, _KUBECTL)
    verb = next((word for word in operands if word in _KUBECTL_VERBS), None)
    if verb not in ("apply", "delete"):
        return None
    rest = operands[operands.index(verb) + 1:]
    if verb == "apply" and rest[:1] == ["view-last-applied"]:
        return None
    if any(name == "--dry-run" and value in ("", "client", "true") for name, value in options):
        return None
    return f"kubectl {verb}"


# -- terraform -------------------------------------------------------------------------------------


def _terraform(args: list[str], context: Context) -> str | None:
    start, _ = first_operand(args, Options())
    verb = args[start] if start < len(args) else ""
    return f"terraform {verb}" if verb in ("apply", "destroy") else None


# -- git -------------------------------------------------------------------------------------------

_GIT_GLOBAL_VALUES = frozenset({"--git-dir", "--work-tree", "--namespace", "--super-prefix",
                                "--config-env", "--list-cmds"})
_NO_VERIFY_VERBS = frozenset({"commit", "push", "merge", "rebase", "am", "cherry-pick"})
_PUSH = Options("o", frozenset({"--push-option", "--repo", "--receive-pack", "--exec"}))
_COMMIT = Options("CcFmt", frozenset({
    "--message", "--file", "--author", "--date", "--template", "--reuse-message", "--trailer",
    "--reedit-message", "--fixup", "--squash", "--cleanup", "--pathspec-from-file"}),
    short_optional="uS")
_VERB_OPTIONS = {
    "push": _PUSH, "commit": _COMMIT,
    "merge": Options("mFsX", frozenset({"--message", "--file", "--strategy",
                                        "--strategy-option", "--cleanup", "--into-name"})),
    "rebase": Options("sXx", frozenset({"--onto", "--exec", "--strategy", "--strategy-option"})),
    "am": Options("CpS"), "cherry-pick": Options("mXs", frozenset({"--mainline"})),
}
_HOOKS_PATH = re.compile(r"(?i)core\.hookspath=")


def _git(args: list[str], context: Context) -> str | None:
    index, hooks_off = 0, False
    while index < len(args) and args[index].startswith("-") and args[index] != "--":
        name = args[index].split("=", 1)[0]
        if name in ("-C", "-c") or (name in _GIT_GLOBAL_VALUES and "=" not in args[index]):
            index += 1
            if name == "-c" and index < len(args):
                hooks_off = hooks_off or bool(_HOOKS_PATH.match(args[index]))
        index += 1
    if index >= len(args):
        return None
    verb, rest = args[index], args[index + 1:]
    if verb not in _VERB_OPTIONS:
        return None
    options, operands = scan(rest, _VERB_OPTIONS[verb])
    names = [name for name, _ in options]
    no_verify = hooks_off or any(_long(name, "--no-verify", 9) for name in names) or (
        verb in ("commit", "am") and "-n" in names)
    if verb == "push":
        pushed = _push(names, operands, context)
        if pushed:
            return pushed
    return "--no-verify" if no_verify and verb in _NO_VERIFY_VERBS else None


def _push(names: list[str], operands: list[str], context: Context) -> str | None:
    if "-n" in names or any(_long(name, "--dry-run", 5) for name in names):
        return None
    if any(_long(name, "--mirror", 4) for name in names):
        return "git push --mirror"
    if any(_long(name, "--all", 4) or _long(name, "--branches", 4) for name in names):
        return "git push --all"
    force = "-f" in names or any(name.startswith("--forc") for name in names)
    refspecs = operands[1:]
    if not refspecs and "--tags" not in names:
        refspecs = ["HEAD"]  # the current branch, where push.default sends it
    for refspec in refspecs:
        forced = force or refspec.startswith("+")
        source, colon, destination = refspec.lstrip("+").partition(":")
        if not colon or not destination:
            destination = source
        if destination in ("HEAD", "@"):
            destination = context.branch or ""
        destination = destination.removeprefix("refs/").removeprefix("heads/")
        glob = any(char in destination for char in "*?[")
        for branch in context.protected:
            if destination == branch or (glob and fnmatchcase(branch, destination)):
                return f"git push --force to {branch}" if forced else f"git push to {branch}"
    return None


# -- gh, rm ----------------------------------------------------------------------------------------

_GH = Options("bFtAR", frozenset({"--body", "--body-file", "--subject", "--author-email",
                                  "--match-head-commit", "--repo"}))


def _gh(args: list[str], context: Context) -> str | None:
    options, operands = scan(args, _GH)
    if operands[:2] == ["pr", "merge"] and any(name == "--admin" for name, _ in options):
        return "gh pr merge --admin"
    return None


_ROOT = re.compile(r"(?:/+\.{0,2})+/*\*?")


def _rm(args: list[str], context: Context) -> str | None:
    options, operands = scan(args, Options())
    names = [name for name, _ in options]
    if any(_long(name, "--no-preserve-root", 6) for name in names):
        return "rm -rf /"
    recursive = any(name in ("-r", "-R") or _long(name, "--recursive", 5) for name in names)
    if recursive and any(_ROOT.fullmatch(target) for target in operands):
        return "rm -rf /"
    return None


_RULES: dict[str, Callable[[list[str], Context], str | None]] = {
    "kubectl": _kubectl, "terraform": _terraform, "tofu": _terraform, "git": _git, "gh": _gh,
    "rm": _rm,
}
