"""Guardrails judge the commands a shell would run (issue 18): every form bash runs as the
forbidden command is denied, harmless text that merely mentions one is allowed, scripts the
command runs are read, and an enforcing lane denies what it cannot judge within the budget."""

from __future__ import annotations

import itertools
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestra_tui.commands.hook import hook_io
from orchestra_tui.core.guard.hook_guard import check_command, first_forbidden
from orchestra_tui.core.guard.shell_commands import (
    MAX_BYTES,
    TOO_LARGE,
    TOO_SLOW,
    Budget,
    simple_commands,
)
from orchestra_tui.core.guard.shell_judge import ALLOWED, FORBIDDEN, judge
from orchestra_tui.models import AgentSpec

ENFORCING = AgentSpec("infra", policy="Terraform runs only from CI.", enforce=True,
                      forbid=(r"helm\s+upgrade",))
OBSERVING = AgentSpec("infra", enforce=False)

# (command, the label it is denied with): each was allowed by the regex guard.
HOSTILE = [
    ("terraform 'destroy'", "terraform destroy"),
    ('t"erraform" destroy', "terraform destroy"),
    ("t\\erraform destroy", "terraform destroy"),
    ("terraform $'\\x64estroy'", "terraform destroy"),
    ("/bin/bash -c 'terraform destroy'", "terraform destroy"),
    ("bash -xc 'terraform destroy'", "terraform destroy"),
    ("bash --login -c 'terraform destroy'", "terraform destroy"),
    ("bash -o pipefail -c 'terraform destroy'", "terraform destroy"),
    ("zsh -ec 'cd infra; terraform apply'", "terraform apply"),
    ("su -c 'terraform destroy'", "terraform destroy"),
    ("su - root -c 'terraform destroy'", "terraform destroy"),
    ("sudo -u root terraform destroy", "terraform destroy"),
    ("sudo -E -u root -- terraform destroy", "terraform destroy"),
    ("sudo -s 'terraform destroy'", "terraform destroy"),
    ("/usr/bin/env terraform destroy", "terraform destroy"),
    ("env -i PATH=/usr/bin TF_LOG=1 terraform destroy", "terraform destroy"),
    ("env -S 'terraform destroy'", "terraform destroy"),
    ("doas terraform destroy", "terraform destroy"),
    ("doas -u root terraform apply", "terraform apply"),
    ('eval "terraform destroy"', "terraform destroy"),
    ("eval terraform destroy", "terraform destroy"),
    ("terraform destroy&", "terraform destroy"),
    ("terraform destroy & wait", "terraform destroy"),
    ("terraform destroy >out.log 2>&1", "terraform destroy"),
    ("echo `terraform destroy`", "terraform destroy"),
    ("echo $(terraform destroy)", "terraform destroy"),
    ('x="$(terraform destroy)"', "terraform destroy"),
    ("export X=$(terraform destroy)", "terraform destroy"),
    ("if true; then terraform destroy; fi", "terraform destroy"),
    ("if terraform destroy; then :; fi", "terraform destroy"),
    ("for i in 1; do terraform destroy; done", "terraform destroy"),
    ("while true; do terraform destroy; break; done", "terraform destroy"),
    ("case x in *) terraform destroy;; esac", "terraform destroy"),
    ("f() { terraform destroy; }; f", "terraform destroy"),
    ("(cd infra && terraform destroy)", "terraform destroy"),
    ("{ terraform destroy; }", "terraform destroy"),
    ("! terraform destroy", "terraform destroy"),
    ("true || terraform destroy", "terraform destroy"),
    ("ls | terraform destroy | cat", "terraform destroy"),
    ("terraform \\\ndestroy", "terraform destroy"),
    ("echo ok\nterraform destroy", "terraform destroy"),
    ("nice terraform destroy", "terraform destroy"),
    ("nice -n 10 terraform destroy", "terraform destroy"),
    ("nice -10 terraform destroy", "terraform destroy"),
    ("ionice -c 3 terraform destroy", "terraform destroy"),
    ("timeout 600 terraform destroy", "terraform destroy"),
    ("timeout -s KILL -k 5 600 terraform destroy", "terraform destroy"),
    ("stdbuf -oL terraform destroy", "terraform destroy"),
    ("stdbuf -o L -e0 terraform destroy", "terraform destroy"),
    ("nohup terraform destroy", "terraform destroy"),
    ("time terraform destroy", "terraform destroy"),
    ("time -p terraform destroy", "terraform destroy"),
    ("command terraform destroy", "terraform destroy"),
    ("exec terraform destroy", "terraform destroy"),
    ("builtin eval terraform destroy", "terraform destroy"),
    ("setsid terraform destroy", "terraform destroy"),
    ("echo destroy | xargs terraform", "terraform destroy"),
    ("xargs -n1 terraform destroy < dirs.txt", "terraform destroy"),
    ("watch terraform destroy", "terraform destroy"),
    ("watch -n 5 'terraform destroy'", "terraform destroy"),
    ("find . -exec terraform destroy \\;", "terraform destroy"),
    ("find . -name x -execdir terraform destroy {} +", "terraform destroy"),
    ("flock /tmp/l terraform destroy", "terraform destroy"),
    ("flock /tmp/l -c 'terraform destroy'", "terraform destroy"),
    ("ssh bastion 'terraform destroy'", "terraform destroy"),
    ("bash <<< 'terraform destroy'", "terraform destroy"),
    ("sh <<EOF\nterraform destroy\nEOF\n", "terraform destroy"),
    ("bash -s <<'EOF'\ncd infra\nterraform destroy\nEOF\n", "terraform destroy"),
    ("cat <<EOF | sh\nterraform destroy\nEOF\n", "terraform destroy"),
    ("echo 'terraform destroy' | sh", "terraform destroy"),
    ("printf 'terraform %s\\n' destroy | bash", "terraform destroy"),
    ("echo 'terraform destroy' | sudo bash -s", "terraform destroy"),
    ("bash -c \"bash -c 'terraform destroy'\"", "terraform destroy"),
    ("tofu destroy", "terraform destroy"),
    ("terraform -chdir=infra apply -auto-approve", "terraform apply"),
    ("kubectl apply -f k8s/ # --dry-run", "kubectl apply"),
    ("kubectl apply -f k8s/ --dry-run=server", "kubectl apply"),
    ("kubectl --context prod -n shop delete pod api", "kubectl delete"),
    ("KUBECONFIG=/k kubectl 'apply' -f x.yaml", "kubectl apply"),
    ("git push origin ma\"in\"", "git push to main"),
    ("git push origin 'main'", "git push to main"),
    ("git push origin HEAD:main", "git push to main"),
    ("git push origin HEAD:refs/heads/main", "git push to main"),
    ("git push origin refs/heads/*:refs/heads/*", "git push to main"),
    ("git push origin 'refs/heads/ma*'", "git push to main"),
    ("git push origin :master", "git push to master"),
    ("git push origin +main", "git push --force to main"),
    ("git push -f origin main", "git push --force to main"),
    ("git push -uf origin main", "git push --force to main"),
    ("git push origin main --force-with-lease", "git push --force to main"),
    ("git push --all", "git push --all"),
    ("git push --all origin", "git push --all"),
    ("git push --mirror backup", "git push --mirror"),
    ("git -C repo push origin main", "git push to main"),
    ("git -c user.name=x push origin main", "git push to main"),
    ("git commit -n -m wip", "--no-verify"),
    ("git commit -nm msg", "--no-verify"),
    ("git commit -anm msg", "--no-verify"),
    ("git commit -m msg -n", "--no-verify"),
    ("git commit --no-verify -m msg", "--no-verify"),
    ("git commit --no-veri -m msg", "--no-verify"),
    ("git -c core.hooksPath=/dev/null commit -m msg", "--no-verify"),
    ("git push --no-verify origin fix/retry", "--no-verify"),
    ("git am -n < patch.mbox", "--no-verify"),
    ("gh pr merge 12 --squash --admin", "gh pr merge --admin"),
    ("gh -R o/r pr merge --admin 12", "gh pr merge --admin"),
    ("rm -rf /", "rm -rf /"),
    ("rm -rf /*", "rm -rf /"),
    ("rm -r -f //", "rm -rf /"),
    ("sudo rm --recursive --force /", "rm -rf /"),
    ("rm -rf --no-preserve-root /", "rm -rf /"),
    ("cat > x.sh <<'EOF'\nterraform destroy\nEOF\nbash x.sh", "terraform destroy"),
    ("echo 'terraform destroy' > d.sh && chmod +x d.sh && ./d.sh", "terraform destroy"),
    ("tee run.sh <<EOF >/dev/null\nterraform apply\nEOF\nsh ./run.sh", "terraform apply"),
    ("git rebase -x 'terraform destroy' main", "terraform destroy"),
    ("terraform {destroy,}", "terraform destroy"),
    ("git push origin {main,dev}", "git push to main"),
    ("helm 'upgrade' api ./chart", r"helm\s+upgrade"),
    ("bash -c 'helm upgrade api ./chart'", r"helm\s+upgrade"),
]

HARMLESS = [
    "kubectl logs apply",
    "kubectl get pods -n apply",
    "kubectl apply --dry-run=client -f k8s/",
    "kubectl apply -f k8s/ --dry-run",
    "kubectl diff -f k8s/",
    "git log --grep 'push origin main'",
    'git commit -m "do not run terraform destroy"',
    "git commit -m 'never git push origin main; kubectl apply is forbidden'",
    "git commit -mn",  # a commit whose message is "n"
    "git commit -F msg.txt -a",
    "echo terraform destroy",
    "echo 'git push --force origin main'",
    "printf '%s\\n' 'terraform destroy'",
    'grep -r "kubectl apply" .',
    "rg 'rm -rf /' docs/",
    "terraform plan -destroy",
    "terraform plan -out plan.bin",
    "git push -u origin fix/retry",
    "git push --force-with-lease origin fix/retry",
    "git push origin main:fix/retry",
    "git push -n origin main",
    "git push --tags",
    "git checkout main",
    "gh pr merge 12 --squash",
    "gh pr merge 12 --body '--admin'",
    "rm -rf ./build /tmp/x",
    "rm -rf build/*",
    "command -v terraform",
    "sudo -l",
    "# terraform destroy",
    "ls # && terraform destroy",
    "cat <<'EOF' > notes.md\nnever run terraform destroy\nEOF\n",
    "x=terraform; echo $x destroy",
    "git rebase --exec='make test' main",
    "cp x.{txt,bak} /tmp && awk '{print $1, $2}' f",
]


@pytest.mark.parametrize(("command", "label"), HOSTILE)
def test_each_shell_form_of_a_forbidden_command_is_denied(command: str, label: str) -> None:
    assert first_forbidden(command, ENFORCING) is not None, command
    found = judge(command, ENFORCING)
    assert (found.kind, found.label) == (FORBIDDEN, label)


@pytest.mark.parametrize("command", HARMLESS)
def test_harmless_commands_that_mention_one_are_allowed(command: str) -> None:
    assert judge(command, ENFORCING).kind == ALLOWED, command
    assert first_forbidden(command, ENFORCING) is None


def test_the_offending_command_is_the_one_that_would_run() -> None:
    assert first_forbidden("cd infra && sudo -u ops terraform destroy -auto-approve",
                           ENFORCING) == ("terraform destroy", "terraform destroy -auto-approve")


def test_the_current_branch_decides_a_push_without_a_refspec(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    assert judge("git push", ENFORCING, cwd=tmp_path).label == "git push to main"
    assert judge("git push origin HEAD", ENFORCING, cwd=tmp_path).label == "git push to main"
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/fix/retry\n", encoding="utf-8")
    assert judge("git push origin HEAD", ENFORCING, cwd=tmp_path).kind == ALLOWED


# -- scripts the command runs ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["./deploy.sh", "bash deploy.sh", "sh ./deploy.sh",
                                     "source deploy.sh", ". ./deploy.sh", "sh < deploy.sh",
                                     "cd scripts && ./nested", "sudo ./deploy.sh --yes"])
def test_a_script_the_agent_wrote_is_read_and_judged(tmp_path: pathlib.Path,
                                                    command: str) -> None:
    body = "#!/usr/bin/env bash\nset -e\ncd infra\nterraform destroy -auto-approve\n"
    (tmp_path / "deploy.sh").write_text(body, encoding="utf-8")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "nested").write_text(body, encoding="utf-8")
    assert judge(command, ENFORCING, cwd=tmp_path).label == "terraform destroy"
    assert judge(command, ENFORCING).kind == ALLOWED  # without the cwd nothing is read


def test_a_harmless_script_and_a_file_that_is_not_a_script_are_allowed(
        tmp_path: pathlib.Path) -> None:
    (tmp_path / "build.sh").write_text("#!/bin/sh\nmake all\n", encoding="utf-8")
    (tmp_path / "tool.py").write_text("#!/usr/bin/env python3\nprint('terraform destroy')\n",
                                      encoding="utf-8")
    assert judge("./build.sh && ./tool.py", ENFORCING, cwd=tmp_path).kind == ALLOWED
    assert judge("./missing.sh", ENFORCING, cwd=tmp_path).kind == ALLOWED


def test_a_script_over_the_size_cap_is_not_judged(tmp_path: pathlib.Path) -> None:
    (tmp_path / "big.sh").write_text("#!/bin/sh\n" + "echo hi\n" * 40000, encoding="utf-8")
    assert judge("./big.sh", ENFORCING, cwd=tmp_path).kind == TOO_LARGE
    assert first_forbidden("./big.sh", ENFORCING, cwd=tmp_path)[0] == "too long to judge"
    assert first_forbidden("./big.sh", OBSERVING, cwd=tmp_path) is None


def test_a_script_that_runs_itself_is_bounded(tmp_path: pathlib.Path) -> None:
    (tmp_path / "loop.sh").write_text("#!/bin/sh\n. ./loop.sh\n", encoding="utf-8")
    assert judge("./loop.sh", ENFORCING, cwd=tmp_path).kind == "too_deep"


# -- bounded: size, time, depth, parse errors ------------------------------------------------------


def test_a_one_megabyte_commit_message_is_judged_within_the_budget() -> None:
    command = "git commit -m '" + "x" * 1_000_000 + "'"
    assert judge(command, ENFORCING).kind == ALLOWED
    assert judge(command + " -n", ENFORCING).label == "--no-verify"
    lane = judge("git commit -m 'helm upgrade " + "y" * 1_000_000 + "'", ENFORCING)
    assert lane.label == r"helm\s+upgrade"


def test_a_command_whose_judging_outruns_the_budget_is_too_slow() -> None:
    """A megabyte of substitutions cannot be walked within the budget: the budget stops it
    (the kind says so) and the enforcing lane denies it; an observing lane lets it run."""
    command = "echo " + "$(true) " * 140_000
    assert len(command) >= 1_000_000
    assert judge(command, ENFORCING).kind == TOO_SLOW
    assert first_forbidden(command, ENFORCING)[0] == "could not judge in time"
    assert first_forbidden(command, OBSERVING) is None


def test_the_budget_stops_the_parse_and_the_walk() -> None:
    ticks = itertools.count()
    small = Budget(cpu=50, wall=50, clock=lambda: next(ticks))  # 50 looks at the clock
    parsed = simple_commands("; ".join(["true"] * 20_000), budget=small)
    assert parsed.problem == TOO_SLOW
    assert len(parsed.commands) < 20_000
    expired = Budget(cpu=-1)
    assert simple_commands("x" * 100_000, budget=expired).problem == TOO_SLOW


def test_over_the_size_cap_is_too_large_at_once() -> None:
    ticks = itertools.count()
    budget = Budget(clock=lambda: next(ticks))
    assert simple_commands("x" * (MAX_BYTES + 1), budget=budget).problem == TOO_LARGE
    assert next(ticks) < 5  # decided before any parsing


def test_nesting_past_the_cap_is_denied_by_an_enforcing_lane() -> None:
    command = "terraform plan"
    for _ in range(12):
        command = f"eval {command!r}"
    assert judge(command, ENFORCING).kind == "too_deep"
    assert first_forbidden(command, ENFORCING)[0] == "nested too deep to judge"


def test_an_unparsable_command_is_denied_only_when_the_lane_enforces() -> None:
    assert first_forbidden("echo 'unterminated", ENFORCING)[0] == "could not parse as shell"
    assert first_forbidden("echo 'unterminated", OBSERVING) is None
    # a forbidden command beside the error is named as such
    assert first_forbidden("terraform destroy; echo 'x", OBSERVING)[0] == "terraform destroy"


def test_the_hook_journals_and_explains_a_command_it_could_not_judge(
        tmp_path: pathlib.Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "infra"\ntarget = "%3"\nenforce = true\n',
                      encoding="utf-8")
    verdict = check_command("echo " + "$(true) " * 140_000, config=config,
                            io=hook_io(tmp_path), pane_id="%3", now=1.0)
    assert verdict is not None and verdict.label == "could not judge in time"
    assert verdict.reason.startswith("orchestra could not judge this command in time; denied "
                                     "because the lane enforces")
    allowed = check_command("git log --grep 'push origin main'", config=config,
                            io=hook_io(tmp_path), pane_id="%3", now=2.0)
    assert allowed is None


# -- generated shell forms of a forbidden command --------------------------------------------------

WORDS = ("terraform", "destroy", "-auto-approve")


def _quote(word: str, data: st.DataObject) -> str:
    """`word` with one random character quoted or escaped the way bash reads it back."""
    index = data.draw(st.integers(0, len(word) - 1), label="index")
    char = word[index]
    style = data.draw(st.sampled_from(["'", '"', "\\", "$'", "none"]), label="style")
    quoted = {"'": f"'{char}'", '"': f'"{char}"', "\\": f"\\{char}",
              "$'": f"$'\\x{ord(char):02x}'", "none": char}[style]
    return word[:index] + quoted + word[index + 1:]


def _sq(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


# Wraps that take any command and give a simple one; prefixes that need a simple command and
# give one; wraps that give a compound command (no prefix may follow them); a trailing comment.
ANY = [
    lambda c: f"sh -c {_sq(c)}", lambda c: f"bash -lc {_sq(c)}", lambda c: f"eval {_sq(c)}",
    lambda c: f"echo $( {c} )", lambda c: f"bash <<< {_sq(c)}", lambda c: f"su -c {_sq(c)}",
    lambda c: f"watch {_sq(c)}",
]
PREFIX = [
    lambda c: f"env X=1 {c}", lambda c: f"sudo -u root {c}", lambda c: f"nice -n 5 {c}",
    lambda c: f"timeout 60 {c}", lambda c: f"nohup {c}", lambda c: f"stdbuf -oL {c}",
    lambda c: f"/usr/bin/env {c}", lambda c: f"{c} > /dev/null 2>&1", lambda c: f"time {c}",
    lambda c: f"command {c}",
]
COMPOUND = [
    lambda c: f"{c} && true", lambda c: f"true; {c}", lambda c: f"( {c} )", lambda c: f"{c} &",
    lambda c: f"{{ {c}; }}", lambda c: f"if true; then {c}; fi", lambda c: f"echo {_sq(c)} | sh",
    lambda c: f"for i in 1; do {c}; done", lambda c: f"false || {c}", lambda c: f"{c} | cat",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_shell_forms_of_a_forbidden_command_are_denied(data: st.DataObject) -> None:
    words = [_quote(word, data) if data.draw(st.booleans(), label="quote") else word
             for word in WORDS]
    command, simple = " ".join(words), True
    for _ in range(data.draw(st.integers(0, 4), label="wraps")):
        choices = ANY + COMPOUND + (PREFIX if simple else [])
        wrap = data.draw(st.sampled_from(choices), label="wrap")
        command, simple = wrap(command), wrap not in COMPOUND
    if data.draw(st.booleans(), label="comment"):
        command += " # note"
    found = judge(command, ENFORCING)
    assert (found.kind, found.label) == (FORBIDDEN, "terraform destroy"), command
    assert first_forbidden(command, ENFORCING) is not None


def test_text_piped_into_a_shell_inside_a_list_is_judged() -> None:
    """tree-sitter-bash reads `echo X | sh | cat && true` as echo piped into a list (found by
    the generated forms): the text still reaches the shell."""
    spec = AgentSpec(name="infra", enforce=True)
    for command in ("echo 'terraform destroy -auto-approve' | sh | cat && true",
                    "echo 'terraform destroy' | bash | tee log || true; ls"):
        assert first_forbidden(command, spec) is not None, command
    assert first_forbidden("echo fine | sh && echo done", spec) is None
