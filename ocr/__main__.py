from ocr.cli.main import main

main()
