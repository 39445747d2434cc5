from datarights.cli import main

raise SystemExit(main())
