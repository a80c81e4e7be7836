from pilotfactory.cli.app import main

main()
