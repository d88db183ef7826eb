"""tmux under a locale that is not UTF-8 (`LC_ALL=C`, common over ssh and in cron): tmux prints
`_` for control and non-ASCII characters unless told the client speaks UTF-8, which turned every
live agent into "exited: no pane at target". Real tmux, a real pane printing UTF-8."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from orchestra_tui.services.tmux.service import LocalTmuxRunner, TmuxService
from tests.tmux_fixtures import REPO, start_fake_agent, wait_for_screen


async def test_panes_and_their_utf8_text_read_alike_under_the_c_locale(tmux, monkeypatch):
    pane = await tmux.start("printf '\\033]2;❯ titled\\033\\\\❯ héllo\\n'; exec cat",
                            session="uni")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "héllo" in s)
    for name in ("LC_CTYPE", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LC_ALL", "C")
    plain = TmuxService(LocalTmuxRunner(socket_name=tmux.runner.socket_name))
    panes = await plain.list_panes()
    assert [p.pane_id for p in panes] == [pane.pane_id]
    assert panes[0].title == "❯ titled"
    assert "❯ héllo" in (await plain.capture([pane.pane_id]))[pane.pane_id]


async def test_status_under_lc_all_c_sees_the_live_agent(tmux, tmp_path):
    await start_fake_agent(tmux, "codex", tmp_path / "a.log", session="api")
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "api"\ntool = "codex"\ntarget = "api"\n')
    environ = {key: value for key, value in os.environ.items()
               if key not in ("LANG", "LC_CTYPE", "LC_ALL")}
    done = subprocess.run(
        [sys.executable, "-m", "orchestra_tui", "--config", str(config), "-L",
         tmux.runner.socket_name, "--data-dir", str(tmp_path / "data"), "status", "--json"],
        capture_output=True, cwd=REPO, timeout=60,
        env={**environ, "PYTHONPATH": str(REPO), "LC_ALL": "C"})
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["state"] == "idle" and row["pane_id"].startswith("%"), row
    assert "›" in row["reason"]
