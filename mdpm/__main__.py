from mdpm.cli import main

main()
