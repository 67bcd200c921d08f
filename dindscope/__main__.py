from dindscope.cli import main

raise SystemExit(main())
