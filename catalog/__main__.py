from catalog.cli.main import main

raise SystemExit(main())
