from orchestra_tui.cli import main

raise SystemExit(main())
