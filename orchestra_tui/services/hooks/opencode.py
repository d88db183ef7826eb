"""opencode's hooks: a JS plugin file orchestra owns in opencode's `plugins/` folder.

opencode (checked with 1.18.33) has no hooks settings but loads every `plugins/*.js` (and
`plugin/`) of its config dirs at start: the user's `$XDG_CONFIG_HOME/opencode` (default
`~/.config/opencode`) and a project's `.opencode`. Orchestra's plugin is one file of its own,
`orchestra.js`, written whole by `hooks install` and deleted by `hooks remove`; the person's
files beside it are never read or written. The plugin runs the hook program
(`python -m orchestra_tui.commands.hook --tool opencode --event NAME`) with the event's JSON on
stdin, one run after another in the order opencode reported them, without making opencode wait;
only before a shell tool call it waits for the program's judgement, and throws (which blocks the
call, the reason going to the model as the tool's error) when an enforcing lane forbids it.
Every failure (no Python, no orchestra, a slow or crashing program) is swallowed: the call goes
ahead and opencode never sees an error from orchestra.

>>> from pathlib import Path
>>> text = plugin_source(["/py", "-m", "orchestra_tui.commands.hook", "--tool", "opencode"])
>>> MARKER in text, plugin_argv(text.encode())[:2]
(True, ['/py', '-m'])
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from orchestra_tui.services.hooks.files import Edit

__all__ = ["MARKER", "PLUGIN_NAME", "owned_edit", "plugin_argv", "plugin_dir", "plugin_source"]

PLUGIN_NAME = "orchestra.js"
MARKER = "// orchestra: reports this opencode's state to orchestra"
SHELL_TOOLS = ("bash",)  # opencode's shell tool: its calls wait for the judgement
_ARGV_LINE = re.compile(r"(?m)^const HOOK = (\[.*\]);$")


def plugin_dir(project: Path | None = None) -> Path:
    """Where opencode loads plugins from: the project's `.opencode/plugins`, else the user's
    `$XDG_CONFIG_HOME/opencode/plugins`."""
    if project is not None:
        return project / ".opencode" / "plugins"
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "opencode" / "plugins"


def plugin_argv(data: bytes | None) -> list[str] | None:
    """The hook program's argv an installed plugin runs, or None when `data` is not ours."""
    text = (data or b"").decode("utf-8", "replace")
    if MARKER not in text:
        return None
    match = _ARGV_LINE.search(text)
    try:
        argv = json.loads(match.group(1)) if match else None
    except ValueError:
        return None
    return argv if isinstance(argv, list) and all(isinstance(a, str) for a in argv) else None


def owned_edit(source: str) -> Edit:
    """A file wholly orchestra's: present when it carries the marker, `add` gives the plugin,
    `strip` nothing (remove deletes an emptied file)."""
    wanted = source.encode()
    return Edit(present=lambda data: MARKER.encode() in (data or b""),
                add=lambda data: wanted,
                strip=lambda data: b"")


def plugin_source(argv: list[str], seconds: int = 10) -> str:
    """The plugin's JS, running `argv` (the hook program's command line)."""
    return _TEMPLATE.replace("@MARKER@", MARKER).replace(
        "@HOOK@", json.dumps(argv, ensure_ascii=True)).replace(
        "@SECONDS@", str(int(seconds))).replace("@SHELL@", json.dumps(list(SHELL_TOOLS)))


_TEMPLATE = r"""@MARKER@ and enforces its lane.
// Written by `orchestra hooks install --tool opencode`; `orchestra hooks remove --tool opencode`
// deletes it. Edits here are lost on the next install.
import { spawn } from "node:child_process"

const HOOK = @HOOK@;
const SECONDS = @SECONDS@
const SHELL = @SHELL@
const children = new Set() // sub-agents' sessions: their idle is not the turn's end
const failed = new Map() // session -> the error seen since its last prompt
let queue = Promise.resolve("")

// Run the hook program once for `event`, after every earlier run: its stdout, "" on any failure.
function run(event, payload) {
  const job = queue.then(() => new Promise((resolve) => {
    let out = ""
    let done = false
    let timer = null
    const finish = () => {
      if (done) return
      done = true
      if (timer) clearTimeout(timer)
      resolve(out)
    }
    try {
      const child = spawn(HOOK[0], [...HOOK.slice(1), "--event", event],
                          { stdio: ["pipe", "pipe", "ignore"], env: process.env })
      timer = setTimeout(() => { try { child.kill("SIGKILL") } catch {} finish() }, SECONDS * 1000)
      child.on("error", finish)
      child.on("close", finish)
      child.stdout.on("data", (chunk) => { out += chunk })
      child.stdin.on("error", () => {})
      child.stdin.end(JSON.stringify({ ...payload, cwd: process.cwd() }))
    } catch { finish() }
  })).catch(() => "")
  queue = job
  return job
}

function report(event, payload) {
  try { run(event, payload) } catch {}
}

// The reason the hook program denies the call for, "" when it lets it run.
function denial(out) {
  try {
    for (const line of String(out).split("\n").reverse()) {
      if (!line.trim()) continue
      const answer = JSON.parse(line)
      return answer && answer.decision === "deny" ? String(answer.reason || "denied") : ""
    }
  } catch {}
  return ""
}

function session(properties) {
  return properties && typeof properties.sessionID === "string" ? properties.sessionID : ""
}

export const OrchestraHooks = async () => {
  report("plugin.loaded", {})
  return {
    "chat.message": async (input, output) => {
      try {
        const id = session(input)
        failed.delete(id)
        const parts = (output && Array.isArray(output.parts) ? output.parts : [])
          .filter((part) => part && part.type === "text")
          .map((part) => ({ type: "text", text: part.text, synthetic: !!part.synthetic }))
        report("chat.message", { input: { sessionID: id }, parts, child: children.has(id) })
      } catch {}
    },
    "tool.execute.before": async (input, output) => {
      let reason = ""
      try {
        const payload = { input: { tool: input.tool, sessionID: session(input) },
                          output: { args: output && output.args } }
        if (!SHELL.includes(input.tool)) return report("tool.execute.before", payload)
        reason = denial(await run("tool.execute.before", payload))
      } catch {}
      if (reason) throw new Error(reason)
    },
    "tool.execute.after": async (input) => {
      try {
        report("tool.execute.after", { input: { tool: input.tool, sessionID: session(input) } })
      } catch {}
    },
    event: async ({ event }) => {
      try {
        const type = event && event.type
        const properties = (event && event.properties) || {}
        if (type === "session.created" || type === "session.updated") {
          const info = properties.info || {}
          if (info.parentID && typeof info.id === "string") children.add(info.id)
        } else if (type === "session.error") {
          const error = properties.error || {}
          // Esc (an interruption) is no failure: the turn just ends.
          if (error.name !== "MessageAbortedError")
            failed.set(session(properties), String(error.name || "error"))
        } else if (type === "session.idle") {
          const id = session(properties)
          const error = failed.get(id) || "" // kept till the next prompt: idle comes twice
          report(type, { properties: { sessionID: id }, error, child: children.has(id) })
        } else if (type === "permission.asked") {
          const metadata = properties.metadata || {}
          report(type, { properties: { sessionID: session(properties),
                                       permission: properties.permission,
                                       metadata: { command: metadata.command } } })
        } else if (type === "permission.replied") {
          report(type, { properties: { sessionID: session(properties), reply: properties.reply } })
        } else if (type === "question.asked") {
          report(type, { properties: { sessionID: session(properties) } })
        }
      } catch {}
    },
  }
}
"""
