from casedesk.entrypoints.cli import main

main()
