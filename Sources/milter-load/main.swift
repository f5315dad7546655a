MilterLoadCommand.main()
