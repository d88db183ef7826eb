"""`python -m orchestra_tui.demo.standin [--port N] [--empty]`: the stand-in with the demo's data
(as `orchestra demo` starts it), until interrupted."""

from orchestra_tui.demo.standin.server import main

raise SystemExit(main())
