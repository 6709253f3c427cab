from bot.cli.launch import main

main()
